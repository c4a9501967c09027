//! What the run has used and cost so far: each side's billable usage for
//! the billing module, the cumulative cost series and the cost report.

use super::Simulation;
use crate::engine::billing::accrual::{CostPoint, CostReport};
use crate::engine::billing::usage::{Ec2Usage, EventSourceUsage, LambdaUsage};

impl Simulation {
    /// Billable usage of the function so far, for the billing module (an
    /// enabled provisioned level is billed as if disabled now).
    pub fn lambda_usage(&self) -> LambdaUsage {
        self.lambda
            .billable_at(self.now())
            .lambda_usage(self.scenario.function.architecture)
    }

    /// Requests to the event sources so far, for the billing module.
    pub fn event_source_usage(&self) -> EventSourceUsage {
        self.lambda.billable_at(self.now()).event_source_usage()
    }

    /// Billable usage of the EC2 deployment so far (instances launch to
    /// now or termination, load-balancer hours and LCU inputs), if any.
    pub fn ec2_usage(&self) -> Option<Ec2Usage> {
        self.ec2.as_ref().map(|ec2| ec2.usage_at(self.now()))
    }

    /// Requests to the event sources in front of the EC2 deployment so far
    /// (its SQS queues, with empty long polls; S3 uploads), if any.
    pub fn ec2_event_source_usage(&self) -> Option<EventSourceUsage> {
        self.ec2.as_ref().map(|ec2| ec2.event_source_usage())
    }

    /// The cost series so far (cumulative, itemized per side), for the
    /// UI's cost meter and charts.
    pub fn cost_series(&self) -> &[CostPoint] {
        self.cost.points()
    }

    /// What the run has cost up to now, itemized per side (also between
    /// series boundaries, e.g. for a cost meter drawn every frame).
    pub fn cost_now(&self) -> CostPoint {
        let now = self.now();
        let ec2 = self.ec2_usage().zip(self.ec2_event_source_usage());
        self.cost.price(
            now,
            &self.lambda_usage(),
            &self.event_source_usage(),
            ec2.as_ref().map(|(usage, sources)| (usage, sources)),
        )
    }

    /// The report's `cost` section now, without the series: per deployed
    /// side the itemized bill so far and the month projected from the
    /// window (labelled as a projection, with its method). For the UI's
    /// cost meters; the series is [`Simulation::cost_series`].
    pub fn cost_report(&self) -> CostReport {
        let (lambda_usage, lambda_sources) = (self.lambda_usage(), self.event_source_usage());
        let ec2 = self.ec2_usage().zip(self.ec2_event_source_usage());
        CostReport::build(
            self.cost.pricer(),
            self.now().since_start(),
            self.lambda_on.then_some((&lambda_usage, &lambda_sources)),
            ec2.as_ref().map(|(usage, sources)| (usage, sources)),
        )
    }
}
