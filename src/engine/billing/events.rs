//! The charges of the managed event sources in front of a deployment: API
//! Gateway, S3 requests and SQS.

use super::bill::{Bill, Quantity, Rate};
use super::catalog::Catalog;
use super::usage::EventSourceUsage;

/// The itemized event-source charges. The SQS free tier (1 M requests a
/// month) covers standard requests first, then FIFO; `free_tier` switches it.
pub fn event_sources_bill(u: &EventSourceUsage, catalog: &Catalog, free_tier: bool) -> Bill {
    let mut bill = Bill::new("Event sources");
    let api = &catalog.api_gateway;
    bill.charge(
        "API Gateway HTTP API requests",
        Quantity::whole(u.api_http_requests),
        "requests",
        (&api.http).into(),
    );
    bill.charge(
        "API Gateway REST API requests",
        Quantity::whole(u.api_rest_requests),
        "requests",
        (&api.rest).into(),
    );
    bill.charge(
        "S3 PUT/COPY/POST/LIST requests",
        Quantity::whole(u.s3_put_requests),
        "requests",
        (&catalog.s3.put).into(),
    );
    bill.charge(
        "S3 GET requests",
        Quantity::whole(u.s3_get_requests),
        "requests",
        (&catalog.s3.get).into(),
    );
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
    bill.charge(
        "SQS requests, free tier",
        Quantity::whole(free_used),
        "requests",
        Rate::free("requests"),
    );
    bill.charge(
        "SQS standard requests",
        Quantity::whole(standard),
        "requests",
        (&sqs.standard).into(),
    );
    bill.charge(
        "SQS FIFO requests",
        Quantity::whole(fifo),
        "requests",
        (&sqs.fifo).into(),
    );
    if u.sqs_standard_requests > 0 || u.sqs_fifo_requests > 0 {
        bill.note("SQS: each 64 KB chunk of a payload is one request.");
    }
    bill
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
