#!/usr/bin/env python3
"""Runs a Schematron rule set compiled to XSLT (EN 16931 or Peppol BIS 3.0) over UBL
files with SaxonC-HE (PyPI `saxonche`) and prints one line per failed assert:

    FILE<TAB>FLAG<TAB>RULE-ID<TAB>MESSAGE

then `checked N file(s)`. Exit status 0 when it ran (whatever it found), 3 when
saxonche is not installed, 2 on bad usage or when a file cannot be transformed.

Usage: validate.py STYLESHEET.xslt FILE.xml [FILE.xml ...]
"""

import sys
import xml.etree.ElementTree as ET

SVRL = "{http://purl.oclc.org/dsdl/svrl}"


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        from saxonche import PySaxonProcessor
    except ImportError:
        print("saxonche is not installed (pip install saxonche)", file=sys.stderr)
        return 3
    stylesheet, files = argv[1], argv[2:]
    with PySaxonProcessor(license=False) as processor:
        xslt = processor.new_xslt30_processor()
        compiled = xslt.compile_stylesheet(stylesheet_file=stylesheet)
        if compiled is None:
            print(f"{stylesheet}: does not compile", file=sys.stderr)
            return 2
        for path in files:
            svrl = compiled.transform_to_string(source_file=path)
            if not svrl:
                print(f"{path}: the rule set produced no report", file=sys.stderr)
                return 2
            root = ET.fromstring(svrl)
            for failed in root.iter(SVRL + "failed-assert"):
                text = failed.find(SVRL + "text")
                message = " ".join((text.text or "").split()) if text is not None else ""
                rule = failed.get("id", "?")
                flag = failed.get("flag", "?")
                print(f"{path}\t{flag}\t{rule}\t{message}")
    print(f"checked {len(files)} file(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
