//! ISO weeks (Monday to Sunday), named like `2026-W47`.

use std::fmt;

use jiff::civil::{Date, ISOWeekDate, Weekday};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct WeekId {
    pub year: i16,
    pub week: i8,
}

impl WeekId {
    /// The ISO week a date falls in (its year may differ from the date's near New Year).
    pub fn of(date: Date) -> WeekId {
        let iso = date.iso_week_date();
        WeekId {
            year: iso.year(),
            week: iso.week(),
        }
    }

    /// Parses `2026-W47`; `None` for anything else or a week the year does not have.
    pub fn parse(text: &str) -> Option<WeekId> {
        let (year, week) = text.split_once("-W")?;
        if year.len() != 4 || week.len() != 2 {
            return None;
        }
        let year: i16 = year.parse().ok()?;
        let week: i8 = week.parse().ok()?;
        ISOWeekDate::new(year, week, Weekday::Monday).ok()?;
        Some(WeekId { year, week })
    }

    pub fn monday(self) -> Date {
        ISOWeekDate::new(self.year, self.week, Weekday::Monday)
            .map(|d| d.date())
            .unwrap_or_default()
    }

    pub fn sunday(self) -> Date {
        ISOWeekDate::new(self.year, self.week, Weekday::Sunday)
            .map(|d| d.date())
            .unwrap_or_default()
    }

    /// The week after this one; `None` after the last week dates can name (9999-W52), so
    /// that a walk over weeks always ends.
    pub fn checked_next(self) -> Option<WeekId> {
        let next = self.next();
        (next > self).then_some(next)
    }

    pub fn next(self) -> WeekId {
        WeekId::of(self.monday().saturating_add(jiff::Span::new().days(7)))
    }

    pub fn previous(self) -> WeekId {
        WeekId::of(self.monday().saturating_sub(jiff::Span::new().days(7)))
    }
}

impl fmt::Display for WeekId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-W{:02}", self.year, self.week)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn weeks_follow_iso_8601() {
        assert_eq!(WeekId::of(date(2026, 11, 25)).to_string(), "2026-W48");
        // 2027-01-01 is a Friday: it belongs to the last week of 2026.
        assert_eq!(WeekId::of(date(2027, 1, 1)).to_string(), "2026-W53");
        assert_eq!(
            WeekId::parse("2026-W47").unwrap().monday(),
            date(2026, 11, 16)
        );
        assert_eq!(
            WeekId::parse("2026-W47").unwrap().sunday(),
            date(2026, 11, 22)
        );
        assert!(WeekId::parse("2025-W53").is_none());
        assert!(WeekId::parse("2026-47").is_none());
        assert_eq!(
            WeekId::parse("2026-W53").unwrap().next().to_string(),
            "2027-W01"
        );
        assert_eq!(
            WeekId::parse("2027-W01").unwrap().previous().to_string(),
            "2026-W53"
        );
    }

    #[test]
    fn the_last_week_has_no_next_and_a_walk_to_it_ends() {
        let last = WeekId::of(jiff::civil::date(9999, 12, 31));
        assert_eq!(last.checked_next(), None);
        let mut week = WeekId::of(jiff::civil::date(9999, 11, 1));
        let mut steps = 0;
        while let Some(next) = week.checked_next() {
            week = next;
            steps += 1;
        }
        assert_eq!(week, last);
        assert!(steps < 10);
    }
}
