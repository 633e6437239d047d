//! What became of each invoice: the events of `data/invoice-events.csv` (sent,
//! acknowledged, paid, disputed, withdrawn) and what follows from them as of the site's
//! date — its state, the amount paid and outstanding, the days overdue. Plain data and
//! arithmetic; the events are validated by `check` before they get here.

use jiff::civil::Date;
use rust_decimal::Decimal;

use super::Invoice;

/// One line of `data/invoice-events.csv`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EventKind {
    Sent,
    Acknowledged,
    Paid,
    Disputed,
    Withdrawn,
}

impl EventKind {
    pub const ALL: [EventKind; 5] = [
        EventKind::Sent,
        EventKind::Acknowledged,
        EventKind::Paid,
        EventKind::Disputed,
        EventKind::Withdrawn,
    ];

    pub fn name(self) -> &'static str {
        match self {
            EventKind::Sent => "sent",
            EventKind::Acknowledged => "acknowledged",
            EventKind::Paid => "paid",
            EventKind::Disputed => "disputed",
            EventKind::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(text: &str) -> Option<EventKind> {
        EventKind::ALL.into_iter().find(|k| k.name() == text)
    }
}

/// Something that happened to an invoice.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct InvoiceEvent {
    pub date: Date,
    pub kind: EventKind,
    /// The amount of a payment (`paid`); none for the other events.
    pub amount: Option<Decimal>,
    pub note: String,
}

/// Where an invoice stands.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum State {
    /// Not issued yet: a week of its period is not sealed.
    Draft,
    /// Issued, not yet recorded as sent.
    #[default]
    Issued,
    Sent,
    Acknowledged,
    Disputed,
    PartlyPaid,
    Paid,
    Withdrawn,
}

impl State {
    pub fn name(self) -> &'static str {
        match self {
            State::Draft => "draft",
            State::Issued => "issued",
            State::Sent => "sent",
            State::Acknowledged => "acknowledged",
            State::Disputed => "disputed",
            State::PartlyPaid => "partly paid",
            State::Paid => "paid",
            State::Withdrawn => "withdrawn",
        }
    }
}

/// An invoice's history and where it stands as of the site's date.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Status {
    /// Oldest first; events of one day in the order of the file.
    pub events: Vec<InvoiceEvent>,
    pub state: State,
    /// The sum of its payments.
    pub paid: Decimal,
    /// What is left to pay: the total less the payments; nothing once withdrawn.
    pub outstanding: Decimal,
    /// Days past the due date with something outstanding, as of the site's date.
    pub days_overdue: Option<i64>,
}

/// The status of `invoice` from its events (in file order), as of `as_of`.
pub fn status(invoice: &Invoice, events: &[InvoiceEvent], as_of: Option<Date>) -> Status {
    if invoice.draft {
        return Status {
            events: events.to_vec(),
            state: State::Draft,
            paid: Decimal::ZERO,
            outstanding: Decimal::ZERO,
            days_overdue: None,
        };
    }
    let mut events = events.to_vec();
    // A stable sort keeps the file's order within a day.
    events.sort_by_key(|e| e.date);
    let paid: Decimal = events.iter().filter_map(|e| e.amount).sum();
    let withdrawn = events.iter().any(|e| e.kind == EventKind::Withdrawn);
    let state = if withdrawn {
        State::Withdrawn
    } else if paid >= invoice.total && paid > Decimal::ZERO {
        State::Paid
    } else {
        match events.last().map(|e| e.kind) {
            None => State::Issued,
            Some(EventKind::Sent) => State::Sent,
            Some(EventKind::Acknowledged) => State::Acknowledged,
            Some(EventKind::Disputed) => State::Disputed,
            Some(EventKind::Paid) => State::PartlyPaid,
            Some(EventKind::Withdrawn) => State::Withdrawn,
        }
    };
    let outstanding = if withdrawn {
        Decimal::ZERO
    } else {
        (invoice.total - paid).max(Decimal::ZERO)
    };
    let days_overdue = as_of
        .filter(|&day| outstanding > Decimal::ZERO && day > invoice.due_date)
        .map(|day| (day - invoice.due_date).get_days().into());
    Status {
        events,
        state,
        paid,
        outstanding,
        days_overdue,
    }
}

/// The headline of `/invoices/`: how much the city has paid of what was invoiced, and
/// how much is overdue.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Totals {
    pub invoiced: Decimal,
    pub paid: Decimal,
    pub overdue: Decimal,
}

/// Drafts and withdrawn invoices count for nothing: neither invoiced nor overdue.
pub fn totals(invoices: &[Invoice]) -> Totals {
    let mut totals = Totals::default();
    for invoice in invoices {
        let status = &invoice.status;
        if matches!(status.state, State::Withdrawn | State::Draft) {
            continue;
        }
        totals.invoiced += invoice.total;
        totals.paid += status.paid;
        if status.days_overdue.is_some() {
            totals.overdue += status.outstanding;
        }
    }
    totals
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{InvoiceConfig, InvoicePeriod, Municipality, Party};
    use crate::model::invoice::{self, Parties, Period, ServiceRate, ServiceRow};
    use jiff::civil::date;

    fn sample(total: &str) -> Invoice {
        let terms = InvoiceConfig::default();
        let parties = Parties {
            issuer: &Party::default(),
            addressee: &Municipality::default(),
            currency: "EUR",
            terms: &terms,
        };
        let row = ServiceRow {
            date: date(2026, 7, 1),
            category: "care".into(),
            unit: "h".into(),
            quantity: total.parse().unwrap(),
            receipt: false,
            rate: ServiceRate {
                valid_from: date(2026, 1, 1),
                rate: Decimal::ONE,
                source: String::new(),
            },
        };
        let q3 = Period::of(InvoicePeriod::Quarter, date(2026, 7, 1));
        invoice::invoice(parties, q3, vec![&row], None)
    }

    fn event(day: Date, kind: EventKind, amount: Option<&str>) -> InvoiceEvent {
        InvoiceEvent {
            date: day,
            kind,
            amount: amount.map(|a| a.parse().unwrap()),
            note: String::new(),
        }
    }

    #[test]
    fn payments_add_up_and_overdue_counts_from_the_due_date() {
        let inv = sample("100");
        assert_eq!(inv.due_date, date(2026, 10, 31));
        let sent = event(date(2026, 10, 2), EventKind::Sent, None);
        let part = event(date(2026, 11, 2), EventKind::Paid, Some("40"));
        let s = status(
            &inv,
            &[sent.clone(), part.clone()],
            Some(date(2026, 11, 10)),
        );
        assert_eq!(s.state, State::PartlyPaid);
        assert_eq!(
            (s.paid, s.outstanding),
            ("40".parse().unwrap(), "60".parse().unwrap())
        );
        assert_eq!(s.days_overdue, Some(10));
        let rest = event(date(2026, 11, 20), EventKind::Paid, Some("60"));
        let s = status(&inv, &[sent.clone(), part, rest], Some(date(2026, 12, 1)));
        assert_eq!(
            (s.state, s.outstanding, s.days_overdue),
            (State::Paid, Decimal::ZERO, None)
        );
        let s = status(&inv, &[sent], Some(date(2026, 10, 31)));
        assert_eq!((s.state, s.days_overdue), (State::Sent, None));
        let s = status(&inv, &[], None);
        assert_eq!((s.state, s.days_overdue), (State::Issued, None));
    }

    #[test]
    fn a_dispute_and_a_withdrawal_show_and_a_withdrawn_invoice_owes_nothing() {
        let inv = sample("100");
        let disputed = event(date(2026, 10, 20), EventKind::Disputed, None);
        let s = status(
            &inv,
            std::slice::from_ref(&disputed),
            Some(date(2026, 11, 3)),
        );
        assert_eq!((s.state, s.days_overdue), (State::Disputed, Some(3)));
        let withdrawn = event(date(2026, 11, 1), EventKind::Withdrawn, None);
        let s = status(&inv, &[withdrawn, disputed], Some(date(2026, 11, 3)));
        assert_eq!(s.events[0].kind, EventKind::Disputed, "sorted by date");
        assert_eq!(
            (s.state, s.outstanding, s.days_overdue),
            (State::Withdrawn, Decimal::ZERO, None)
        );
    }
}
