//! The ledger and rates that the invoice tests share: services from April to
//! September 2026 in three cells, valued by the kilogram, kilowatt-hour and hour.

/// Food by the kilogram, energy by the kilowatt-hour (cheaper from August) and care by
/// the hour, in euros.
pub const RATES: &str = "unit,category,rate,currency,valid_from,source
kg,food,3.80,EUR,2026-01-01,Market basket
kWh,,0.34,EUR,2026-01-01,Utility tariff
kWh,,0.31,EUR,2026-08-01,Utility tariff from August
h,care,14.50,EUR,2026-01-01,Care worker wage
";

/// Ledger rows (without a header) of services from 2 April to 30 September 2026. By
/// hand: Q2 20 kg × 3.80 = 76.00, 33.3 kWh × 0.34 = 11.32, 2.5 h × 14.50 = 36.25:
/// 123.57. Q3 10.5 kWh × 0.34 = 3.57, 20.05 kWh × 0.31 = 6.22, 1.3 kg × 3.80 = 4.94:
/// 14.73.
pub const SERVICES_APRIL_TO_SEPTEMBER: &str = "2026-04-02,food-coop,food,service,12.5,kg,F-1,,hh-1,
2026-05-20,food-coop,food,service,7.5,kg,F-2,,hh-2,
2026-06-10,solar-coop,energy,service,33.3,kWh,S-1,,hh-3,
2026-06-30,care-circle,care,service,2.5,h,,,hh-4,
2026-07-15,solar-coop,energy,service,10.1,kWh,S-2,,hh-3,
2026-07-31,solar-coop,energy,service,0.4,kWh,S-3,,hh-5,
2026-08-01,solar-coop,energy,service,20.05,kWh,S-4,,hh-3,
2026-09-30,food-coop,food,service,1.3,kg,F-3,,hh-1,
";
