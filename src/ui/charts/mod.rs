//! The numbers and charts below the stage: the metrics table and cost
//! meters ([`metrics_table`], reading [`cost`]), the over-time charts
//! ([`over_time`], drawn by [`line_chart`]) and the break-even chart
//! ([`breakeven`]).

pub mod breakeven;
pub mod cost;
pub mod line_chart;
pub mod metrics_table;
pub mod over_time;
