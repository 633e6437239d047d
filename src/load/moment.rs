//! A moment in front matter, such as a minutes file's `pool_fixed`: a TOML offset
//! datetime (`2026-09-21T09:00:00Z`), a date (`2026-09-21`) or the same as a string.
//! A date alone means the end of that day in UTC: the pool may have been fixed at any
//! time that day, so only a later moment is surely after it.

use std::fmt;

use jiff::Timestamp;
use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};

use super::front_matter::parse_date;

/// A moment as written, and when it is.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FrontMoment {
    /// The moment itself (for a date alone, the end of that day, UTC).
    pub time: Timestamp,
    /// The text as written, shown back in errors and on pages.
    pub text: String,
}

impl FrontMoment {
    /// The end of `date`'s day in UTC (the next day's first second).
    pub fn end_of(date: jiff::civil::Date) -> Result<FrontMoment, String> {
        let next = date
            .tomorrow()
            .map_err(|_| format!("{date} has no next day"))?;
        let time = jiff::tz::TimeZone::UTC
            .to_timestamp(next.to_datetime(jiff::civil::Time::midnight()))
            .map_err(|e| format!("{date}: {e}"))?;
        Ok(FrontMoment {
            time,
            text: date.to_string(),
        })
    }

    /// Reads `2026-09-21T09:00:00Z`, `2026-09-21T11:00:00+02:00` or `2026-09-21`.
    pub fn parse(text: &str) -> Result<FrontMoment, String> {
        let text = text.trim();
        if text.len() == 10 {
            return FrontMoment::end_of(parse_date(text)?);
        }
        let time: Timestamp = text.parse().map_err(|_| {
            format!(
                "{text:?} is not a moment like 2026-09-21T09:00:00Z (a date and time with its offset; Z is UTC) or a date like 2026-09-21"
            )
        })?;
        Ok(FrontMoment {
            time,
            text: text.to_string(),
        })
    }
}

impl<'de> Deserialize<'de> for FrontMoment {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(MomentVisitor)
    }
}

struct MomentVisitor;

impl<'de> Visitor<'de> for MomentVisitor {
    type Value = FrontMoment;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a moment like 2026-09-21T09:00:00Z or a date like 2026-09-21")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<FrontMoment, E> {
        FrontMoment::parse(v).map_err(E::custom)
    }

    // TOML hands datetimes over as a one-entry map holding the datetime's text.
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<FrontMoment, A::Error> {
        let Some((_, value)) = map.next_entry::<String, String>()? else {
            return Err(de::Error::custom(
                "expected a moment like 2026-09-21T09:00:00Z",
            ));
        };
        FrontMoment::parse(&value).map_err(de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Front {
        pool_fixed: FrontMoment,
    }

    #[test]
    fn a_toml_datetime_a_date_and_a_string_are_read() {
        let f: Front = toml::from_str("pool_fixed = 2026-09-21T09:00:00Z").unwrap();
        assert_eq!(f.pool_fixed.time.to_string(), "2026-09-21T09:00:00Z");
        let f: Front = toml::from_str("pool_fixed = 2026-09-21T11:00:00+02:00").unwrap();
        assert_eq!(f.pool_fixed.time.to_string(), "2026-09-21T09:00:00Z");
        let f: Front = toml::from_str("pool_fixed = \"2026-09-21T09:00:00Z\"").unwrap();
        assert_eq!(f.pool_fixed.time.to_string(), "2026-09-21T09:00:00Z");
        let f: Front = toml::from_str("pool_fixed = 2026-09-21").unwrap();
        assert_eq!(f.pool_fixed.time.to_string(), "2026-09-22T00:00:00Z");
        assert_eq!(f.pool_fixed.text, "2026-09-21");
    }

    #[test]
    fn a_time_without_its_offset_is_an_error() {
        assert!(toml::from_str::<Front>("pool_fixed = 2026-09-21T09:00:00").is_err());
        assert!(FrontMoment::parse("tomorrow").is_err());
    }
}
