//! The charges of the managed event sources in front of a deployment: API
//! Gateway, S3 requests and SQS.

use super::bill::{Bill, Charge, Ledger, Quantity, Rate, Words};
use super::catalog::{Catalog, Price};
use super::money::PicoUsd;
use super::usage::EventSourceUsage;

/// The itemized event-source charges. The SQS free tier (1 M requests a
/// month) covers standard requests first, then FIFO; `free_tier` switches it.
pub fn event_sources_bill(u: &EventSourceUsage, catalog: &Catalog, free_tier: bool) -> Bill {
    let mut bill = Bill::new("Event sources");
    event_source_charges(u, catalog, free_tier, &mut bill);
    bill
}

/// Puts the event-source charges into `ledger` (see [`event_sources_bill`]).
pub fn event_source_charges(
    u: &EventSourceUsage,
    catalog: &Catalog,
    free_tier: bool,
    ledger: &mut impl Ledger,
) {
    let api = &catalog.api_gateway;
    let sqs = &catalog.sqs;
    let mut free_left = if free_tier { sqs.free_requests } else { 0 };
    let mut free_used = 0;
    let mut paid = |requests: u64| {
        let free = requests.min(free_left);
        free_left -= free;
        free_used += free;
        requests - free
    };
    let standard = paid(u.sqs_standard_requests);
    let fifo = paid(u.sqs_fifo_requests);
    let lines: [(Charge, &str, u64, &Price); 4] = [
        (
            Charge::OtherRequests,
            "API Gateway HTTP API requests",
            u.api_http_requests,
            &api.http,
        ),
        (
            Charge::OtherRequests,
            "API Gateway REST API requests",
            u.api_rest_requests,
            &api.rest,
        ),
        (
            Charge::OtherRequests,
            "S3 PUT/COPY/POST/LIST requests",
            u.s3_put_requests,
            &catalog.s3.put,
        ),
        (
            Charge::OtherRequests,
            "S3 GET requests",
            u.s3_get_requests,
            &catalog.s3.get,
        ),
    ];
    for (kind, item, n, price) in lines {
        charge_price(ledger, kind, item, Quantity::whole(n), "requests", price);
    }
    ledger.charge(
        Charge::Sqs,
        Quantity::whole(free_used),
        PicoUsd::ZERO,
        1,
        || Words {
            item: "SQS requests, free tier".into(),
            unit: "requests",
            rate: Rate::free("requests"),
        },
    );
    let sqs_lines: [(&str, u64, &Price); 2] = [
        ("SQS standard requests", standard, &sqs.standard),
        ("SQS FIFO requests", fifo, &sqs.fifo),
    ];
    for (item, n, price) in sqs_lines {
        charge_price(
            ledger,
            Charge::Sqs,
            item,
            Quantity::whole(n),
            "requests",
            price,
        );
    }
    if u.sqs_standard_requests > 0 || u.sqs_fifo_requests > 0 {
        ledger.note(|| "SQS: each 64 KB chunk of a payload is one request.".into());
    }
}

/// Charges `quantity` at a catalog price, the line named `item`.
pub(crate) fn charge_price(
    ledger: &mut impl Ledger,
    kind: Charge,
    item: &str,
    quantity: Quantity,
    unit: &'static str,
    price: &Price,
) {
    ledger.charge(kind, quantity, price.usd, price.per, || Words {
        item: item.to_owned(),
        unit,
        rate: price.into(),
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::billing::money::Money;
    use crate::engine::billing::usage::sqs_request_units;

    #[test]
    fn sqs_free_tier_then_standard_then_fifo() {
        let c = Catalog::us_east_1();
        // 600 k messages of 100 KB = 2 chunks each = 1.2 M requests; 1 M
        // free, 200 k × $0.40/M = $0.08. FIFO 1 M × $0.50/M = $0.50.
        let u = EventSourceUsage {
            sqs_standard_requests: 600_000 * sqs_request_units(100 * 1_024),
            sqs_fifo_requests: 1_000_000,
            ..EventSourceUsage::default()
        };
        let b = event_sources_bill(&u, &c, true);
        assert_eq!(b.lines[0].quantity, Quantity::whole(1_000_000));
        assert_eq!(b.lines[1].amount, Money::from_micros(80_000));
        assert_eq!(b.lines[2].amount, Money::from_micros(500_000));
        assert_eq!(b.total, Money::from_micros(580_000));
        // Free tier off: 1.2 M × $0.40/M = $0.48 + $0.50.
        assert_eq!(
            event_sources_bill(&u, &c, false).total,
            Money::from_micros(980_000)
        );
    }

    #[test]
    fn api_gateway_and_s3() {
        let c = Catalog::us_east_1();
        // HTTP 3 M × $1.00/M = $3; REST 1 M × $3.50/M = $3.50;
        // S3 PUT 10,000 × $0.005/1,000 = $0.05; GET 1 M × $0.0004/1,000 = $0.40.
        let u = EventSourceUsage {
            api_http_requests: 3_000_000,
            api_rest_requests: 1_000_000,
            s3_put_requests: 10_000,
            s3_get_requests: 1_000_000,
            ..EventSourceUsage::default()
        };
        let b = event_sources_bill(&u, &c, true);
        let amounts: Vec<i64> = b.lines.iter().map(|l| l.amount.as_micros()).collect();
        assert_eq!(amounts, [3_000_000, 3_500_000, 50_000, 400_000]);
        assert_eq!(b.total, b.sum_of_lines());
    }
}
