//! The share card of a weekly report: a 1200×630 PNG with the week's headline figures,
//! which a chat or a social network shows when the report's address is shared
//! (`og:image`). Drawn in-process: an SVG written here, rendered by `resvg` with the
//! one font embedded in the theme (`themes/default/fonts/`, DejaVu Sans Bold, with its
//! licence), never a system font, so the bytes are the same on every machine.

use std::sync::{Arc, OnceLock};

use resvg::{tiny_skia, usvg};

use super::escape::xml_escape;

pub const WIDTH: u32 = 1200;
pub const HEIGHT: u32 = 630;
const FONT: &[u8] = include_bytes!("../../themes/default/fonts/DejaVuSans-Bold.ttf");
const FAMILY: &str = "DejaVu Sans";
/// The theme's accent (the header's green) and a pale tint of it for secondary text.
const BACKGROUND: &str = "#0b6e4f";
const PALE: &str = "#cfeee2";
const MARGIN: f64 = 60.0;
/// Average advance of a DejaVu Sans Bold character, in ems, for fitting text.
const EM_ADVANCE: f64 = 0.68;

/// What a card says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Card {
    /// The network's name, top left.
    pub network: String,
    /// `16–22 November 2026`.
    pub dates: String,
    /// `ISO week 2026-W47 · closed`, or `so far (3 of 7 days)`.
    pub status: String,
    /// Up to three (`385 kg`, `food`) figures.
    pub figures: Vec<(String, String)>,
    /// `36% of what the city budgets for the same needs`, or a line that says the week
    /// is compared once it closes.
    pub share: String,
    /// `€3,558 of services at replacement cost`.
    pub value: String,
}

/// The card as PNG bytes.
pub fn png(card: &Card) -> Result<Vec<u8>, String> {
    let options = usvg::Options {
        fontdb: fonts(),
        font_family: FAMILY.to_string(),
        ..usvg::Options::default()
    };
    let tree = usvg::Tree::from_str(&svg(card), &options).map_err(|e| e.to_string())?;
    let mut pixmap = tiny_skia::Pixmap::new(WIDTH, HEIGHT).ok_or("no room for the card")?;
    resvg::render(&tree, tiny_skia::Transform::default(), &mut pixmap.as_mut());
    encode(&pixmap).map_err(|e| e.to_string())
}

/// The card as an 8-bit PNG. The card is opaque (its first shape fills it), so the
/// alpha channel is dropped. Its flat colours and their anti-aliased edges come to far
/// fewer than 256 (55 on the example's card), so each pixel is written as its index in
/// a palette of the exact colours, nothing lost: a third of the bytes to compress,
/// which png's fast deflate with adaptive filters makes 35 KB in about 1 ms (RGB at the
/// balanced level: 44 KB in 5 ms). A card of more colours is written as RGB.
fn encode(pixmap: &tiny_skia::Pixmap) -> Result<Vec<u8>, png::EncodingError> {
    let mut out = Vec::with_capacity(64 * 1024);
    let mut encoder = png::Encoder::new(&mut out, pixmap.width(), pixmap.height());
    encoder.set_depth(png::BitDepth::Eight);
    let data = match palette(pixmap.data()) {
        Some((colours, indices)) => {
            encoder.set_color(png::ColorType::Indexed);
            encoder.set_palette(colours);
            encoder.set_compression(png::Compression::Fast);
            encoder.set_filter(png::Filter::Adaptive);
            indices
        }
        None => {
            encoder.set_color(png::ColorType::Rgb);
            encoder.set_compression(png::Compression::Balanced);
            encoder.set_filter(png::Filter::NoFilter);
            pixmap
                .data()
                .chunks_exact(4)
                .flat_map(|pixel| [pixel[0], pixel[1], pixel[2]])
                .collect()
        }
    };
    let mut writer = encoder.write_header()?;
    writer.write_image_data(&data)?;
    writer.finish()?;
    Ok(out)
}

/// The colours of the RGBA pixels `rgba` in order of first use (RGB, three bytes
/// each) and each pixel's index among them; `None` past 256 colours.
fn palette(rgba: &[u8]) -> Option<(Vec<u8>, Vec<u8>)> {
    let mut colours: Vec<u8> = Vec::with_capacity(3 * 256);
    // By the whole pixel as one number (alpha too: the card is opaque, and two pixels
    // differing only in alpha would just take two entries of one colour).
    let mut index: std::collections::HashMap<u32, u8, foldhash::fast::FixedState> =
        std::collections::HashMap::default();
    let mut indices = Vec::with_capacity(rgba.len() / 4);
    // Runs of one colour are long: the previous pixel's index is tried first.
    let (mut last, mut last_at) = (None, 0u8);
    for pixel in rgba.chunks_exact(4) {
        let whole = u32::from_ne_bytes([pixel[0], pixel[1], pixel[2], pixel[3]]);
        if last != Some(whole) {
            last_at = match index.get(&whole) {
                Some(&at) => at,
                None => {
                    let at = u8::try_from(index.len()).ok()?;
                    index.insert(whole, at);
                    colours.extend_from_slice(&pixel[..3]);
                    at
                }
            };
            last = Some(whole);
        }
        indices.push(last_at);
    }
    Some((colours, indices))
}

/// The embedded font, loaded once.
fn fonts() -> Arc<usvg::fontdb::Database> {
    static FONTS: OnceLock<Arc<usvg::fontdb::Database>> = OnceLock::new();
    FONTS
        .get_or_init(|| {
            let mut db = usvg::fontdb::Database::new();
            db.load_font_data(FONT.to_vec());
            Arc::new(db)
        })
        .clone()
}

/// The card as SVG: the texts placed on a fixed grid, each shrunk to fit its width.
pub fn svg(card: &Card) -> String {
    let full = f64::from(WIDTH) - 2.0 * MARGIN;
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{HEIGHT}\" \
         viewBox=\"0 0 {WIDTH} {HEIGHT}\" font-family=\"{FAMILY}\" font-weight=\"bold\">\
         <rect width=\"100%\" height=\"100%\" fill=\"{BACKGROUND}\"/>"
    );
    out.push_str(&text(MARGIN, 92.0, 32.0, full, PALE, &card.network));
    out.push_str(&text(MARGIN, 172.0, 60.0, full, "#ffffff", &card.dates));
    out.push_str(&text(MARGIN, 222.0, 30.0, full, PALE, &card.status));
    let shown = &card.figures[..card.figures.len().min(3)];
    let column = full / shown.len().max(1) as f64;
    // One size for all the figures: the largest at which each fits its column.
    let figure_size = shown
        .iter()
        .map(|(figure, _)| fit(84.0, column - 24.0, figure))
        .fold(84.0, f64::min);
    for (i, (figure, need)) in shown.iter().enumerate() {
        let x = MARGIN + column * i as f64;
        out.push_str(&text(
            x,
            360.0,
            figure_size,
            column - 24.0,
            "#ffffff",
            figure,
        ));
        out.push_str(&text(x, 410.0, 34.0, column - 24.0, PALE, need));
    }
    out.push_str(&format!(
        "<rect x=\"{MARGIN}\" y=\"462\" width=\"{full}\" height=\"3\" fill=\"{PALE}\"/>"
    ));
    out.push_str(&text(MARGIN, 528.0, 38.0, full, "#ffffff", &card.share));
    out.push_str(&text(MARGIN, 580.0, 30.0, full, PALE, &card.value));
    out.push_str("</svg>");
    out
}

/// One line of text at (`x`, `baseline`), at most `size` px and no wider than `width`.
fn text(x: f64, baseline: f64, size: f64, width: f64, fill: &str, content: &str) -> String {
    let size = fit(size, width, content);
    format!(
        "<text x=\"{x}\" y=\"{baseline}\" font-size=\"{size}\" fill=\"{fill}\">{}</text>",
        xml_escape(content)
    )
}

/// The font size, at most `size`, at which `content` fits `width`.
fn fit(size: f64, width: f64, content: &str) -> f64 {
    let chars = content.chars().count().max(1) as f64;
    size.min(width / (chars * EM_ADVANCE)).floor().max(8.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn card() -> Card {
        Card {
            network: "Riverside Mutual Aid Network".into(),
            dates: "16–22 November 2026".into(),
            status: "ISO week 2026-W47 · closed".into(),
            figures: vec![
                ("123 hours".into(), "care".into()),
                ("749 kWh".into(), "energy".into()),
                ("385 kg".into(), "food".into()),
            ],
            share: "36% of what the city budgets for the same needs".into(),
            value: "€3,558 of services at replacement cost".into(),
        }
    }

    #[test]
    fn the_card_is_a_1200_by_630_png_with_the_same_bytes_every_time() {
        let bytes = png(&card()).unwrap();
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
        assert_eq!(&bytes[12..16], b"IHDR");
        assert_eq!(u32::from_be_bytes(bytes[16..20].try_into().unwrap()), WIDTH);
        assert_eq!(
            u32::from_be_bytes(bytes[20..24].try_into().unwrap()),
            HEIGHT
        );
        assert_eq!(png(&card()).unwrap(), bytes);
    }

    #[test]
    fn the_palette_keeps_every_pixel_exactly() {
        let tree = usvg::Tree::from_str(
            &svg(&card()),
            &usvg::Options {
                fontdb: fonts(),
                font_family: FAMILY.to_string(),
                ..usvg::Options::default()
            },
        )
        .unwrap();
        let mut pixmap = tiny_skia::Pixmap::new(WIDTH, HEIGHT).unwrap();
        resvg::render(&tree, tiny_skia::Transform::default(), &mut pixmap.as_mut());
        let bytes = encode(&pixmap).unwrap();
        let mut decoder = ::png::Decoder::new(std::io::Cursor::new(bytes));
        decoder.set_transformations(::png::Transformations::EXPAND);
        let mut reader = decoder.read_info().unwrap();
        assert_eq!(reader.info().color_type, ::png::ColorType::Indexed);
        let mut decoded = vec![0; reader.output_buffer_size().unwrap()];
        let frame = reader.next_frame(&mut decoded).unwrap();
        assert_eq!(frame.color_type, ::png::ColorType::Rgb);
        let rendered: Vec<u8> = pixmap
            .data()
            .chunks_exact(4)
            .flat_map(|p| [p[0], p[1], p[2]])
            .collect();
        assert_eq!(&decoded[..frame.buffer_size()], &rendered[..]);
        // Past 256 colours the pixels are written as RGB.
        let many: Vec<u8> = (0..300u32)
            .flat_map(|i| [(i % 256) as u8, (i / 256) as u8, 0, 255])
            .collect();
        assert!(palette(&many).is_none());
        assert_eq!(palette(&many[..256 * 4]).unwrap().0.len(), 256 * 3);
    }

    #[test]
    fn the_figures_are_written_as_text_and_long_lines_shrink_to_fit() {
        let svg = svg(&card());
        assert!(svg.contains(">385 kg</text>"));
        assert!(svg.contains(">36% of what the city budgets for the same needs</text>"));
        let long = text(0.0, 0.0, 84.0, 100.0, "#fff", "a very long figure indeed");
        assert!(long.contains("font-size=\"8\""), "{long}");
        assert!(text(0.0, 0.0, 84.0, 1000.0, "#fff", "385 kg").contains("font-size=\"84\""));
    }

    #[test]
    fn text_is_escaped_and_the_font_is_the_embedded_one() {
        let mut c = card();
        c.network = "Bread & <Roses>".into();
        assert!(svg(&c).contains("Bread &amp; &lt;Roses&gt;"));
        assert!(png(&c).is_ok());
        assert_eq!(fonts().faces().count(), 1);
    }
}
