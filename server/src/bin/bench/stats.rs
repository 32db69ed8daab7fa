//! Percentiles and the result rows the benchmark prints.

/// One run's figures, by name, in the order they print.
#[derive(Clone, Debug, Default)]
pub struct Row(pub Vec<(&'static str, f64, &'static str)>);

impl Row {
    pub fn push(&mut self, name: &'static str, value: f64, unit: &'static str) {
        self.0.push((name, value, unit));
    }

    pub fn line(&self) -> String {
        self.0
            .iter()
            .map(|(name, value, unit)| format!("{name}={}{unit}", pretty(*value)))
            .collect::<Vec<_>>()
            .join("  ")
    }
}

fn pretty(value: f64) -> String {
    if value.abs() >= 100.0 || value == value.trunc() {
        format!("{value:.0}")
    } else {
        format!("{value:.2}")
    }
}

/// The median of each figure across runs (rows of one scenario have the same figures).
pub fn median(rows: &[Row]) -> Row {
    let mut out = Row::default();
    for (i, (name, _, unit)) in rows[0].0.iter().enumerate() {
        let mut values: Vec<f64> = rows.iter().map(|r| r.0[i].1).collect();
        values.sort_by(f64::total_cmp);
        out.push(name, values[values.len() / 2], unit);
    }
    out
}

/// The `p`-th percentile (0 to 100) of sorted samples.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}
