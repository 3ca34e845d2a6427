//! Pure geometry for the picture: where brokers, partitions, producers and group members sit, and where a
//! message in flight is at a given instant. No web crates; tested natively.

pub mod markers;

/// Fraction of the way a message sent at `sent_us` and arriving at `arrive_us` has travelled at `now_us`,
/// clamped to [0, 1]. Positions come from simulated times only, so pausing or changing speed is exact.
pub fn progress(sent_us: u64, arrive_us: u64, now_us: u64) -> f64 {
    if arrive_us <= sent_us {
        return 1.0;
    }
    let done = now_us.saturating_sub(sent_us) as f64 / (arrive_us - sent_us) as f64;
    done.clamp(0.0, 1.0)
}

/// A point on the picture, in SVG user units.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Point {
    pub x: f64,
    pub y: f64,
}

/// The point `fraction` of the way from `from` to `to`.
pub fn lerp(from: Point, to: Point, fraction: f64) -> Point {
    Point {
        x: from.x + (to.x - from.x) * fraction,
        y: from.y + (to.y - from.y) * fraction,
    }
}

/// Vertical slots: `count` items spread over `[top, top + height]`, centred in equal bands.
pub fn slots(count: usize, top: f64, height: f64) -> Vec<f64> {
    if count == 0 {
        return Vec::new();
    }
    let band = height / count as f64;
    (0..count)
        .map(|index| top + band * (index as f64 + 0.5))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_is_clamped_and_exact_under_pause() {
        assert_eq!(progress(1000, 3000, 500), 0.0);
        assert_eq!(progress(1000, 3000, 2000), 0.5);
        assert_eq!(progress(1000, 3000, 9000), 1.0);
        assert_eq!(progress(1000, 1000, 1000), 1.0);
    }

    #[test]
    fn lerp_midpoint() {
        let mid = lerp(Point { x: 0.0, y: 0.0 }, Point { x: 10.0, y: 20.0 }, 0.5);
        assert_eq!(mid, Point { x: 5.0, y: 10.0 });
    }

    #[test]
    fn slots_are_centred_bands() {
        assert_eq!(slots(2, 0.0, 100.0), vec![25.0, 75.0]);
        assert!(slots(0, 0.0, 100.0).is_empty());
    }
}

/// Where everything sits on the picture, computed from a view. Columns: producers, brokers with the
/// partition logs below them, consumer groups.
#[derive(Clone, Debug, PartialEq)]
pub struct Layout {
    pub width: f64,
    pub height: f64,
    pub producers: Vec<Point>,
    /// Broker boxes: top-left corner; all `broker_width` × `broker_height`.
    pub brokers: Vec<Point>,
    pub broker_width: f64,
    pub broker_height: f64,
    /// One row per partition (topic order, then partition): the strip's left end and its baseline.
    pub partition_rows: Vec<Point>,
    pub row_height: f64,
    pub strip_width: f64,
    /// Whether rows are too thin for labels.
    pub compact: bool,
    /// One box per group member, grouped by consumer group: top-left corner.
    pub members: Vec<((usize, usize), Point)>,
    pub member_height: f64,
    pub group_tops: Vec<f64>,
}

pub const PICTURE_WIDTH: f64 = 1200.0;
/// The least height of the picture (1200 × 740 is about 16:10): the page leads with the picture, so a
/// small cluster gets taller logs and members rather than a thin band (at 1280×720 the picture takes more
/// than half the first screen).
pub const MIN_HEIGHT: f64 = 740.0;
const PRODUCER_X: f64 = 10.0;
const MIDDLE_X: f64 = 200.0;
const MIDDLE_WIDTH: f64 = 700.0;
const GROUP_X: f64 = 930.0;

/// Counts the picture needs: producers, brokers, partitions, and members per group.
pub struct Shape<'a> {
    pub producers: usize,
    pub brokers: usize,
    pub partitions: usize,
    pub members_per_group: &'a [usize],
}

impl Layout {
    pub fn compute(shape: &Shape) -> Layout {
        let broker_gap = 10.0;
        let broker_count = shape.brokers.max(1) as f64;
        let broker_width =
            ((MIDDLE_WIDTH - broker_gap * (broker_count - 1.0)) / broker_count).min(220.0);
        let broker_height = 70.0;
        let brokers = (0..shape.brokers)
            .map(|i| Point {
                x: MIDDLE_X + i as f64 * (broker_width + broker_gap),
                y: 10.0,
            })
            .collect();
        let compact = shape.partitions > 24;
        let rows_top = 10.0 + broker_height + 40.0;
        let row_height = if compact {
            (360.0 / shape.partitions.max(1) as f64).clamp(4.0, 14.0)
        } else {
            // As tall as the picture's least height allows, so each record's cell is easy to see.
            ((MIN_HEIGHT - rows_top - 60.0) / (shape.partitions as f64 + 1.0)).clamp(26.0, 120.0)
        };
        let partition_rows: Vec<Point> = (0..shape.partitions)
            .map(|i| Point {
                x: MIDDLE_X + 70.0,
                y: rows_top + row_height * (i as f64 + 1.0),
            })
            .collect();
        let middle_bottom = rows_top + row_height * (shape.partitions as f64 + 1.0) + 20.0;
        let total_members: usize = shape.members_per_group.iter().sum();
        let groups = shape.members_per_group.len() as f64;
        let member_height = if total_members > 16 {
            22.0
        } else {
            ((MIN_HEIGHT - 20.0 - groups * 36.0) / total_members.max(1) as f64 - 4.0)
                .clamp(40.0, 80.0)
        };
        let mut members = Vec::new();
        let mut group_tops = Vec::new();
        let mut y = 10.0;
        for (group, count) in shape.members_per_group.iter().enumerate() {
            group_tops.push(y);
            y += 24.0;
            for member in 0..*count {
                members.push(((group, member), Point { x: GROUP_X, y }));
                y += member_height + 4.0;
            }
            y += 12.0;
        }
        // Producers face the partitions they write to: spread over the logs' rows (or more, if many).
        let producers_height = (middle_bottom - rows_top).max(shape.producers as f64 * 50.0);
        let producer_band = middle_bottom
            .max(y)
            .max(MIN_HEIGHT)
            .max(rows_top - 30.0 + producers_height + 10.0);
        let producers = slots(shape.producers, rows_top - 30.0, producers_height)
            .into_iter()
            .map(|y| Point { x: PRODUCER_X, y })
            .collect();
        Layout {
            width: PICTURE_WIDTH,
            height: producer_band,
            producers,
            brokers,
            broker_width,
            broker_height,
            partition_rows,
            row_height,
            strip_width: MIDDLE_WIDTH - 80.0,
            compact,
            members,
            member_height,
            group_tops,
        }
    }

    /// Where a message to or from a node starts or ends.
    pub fn anchor_producer(&self, producer: usize) -> Point {
        self.producers
            .get(producer)
            .map_or(Point { x: 0.0, y: 0.0 }, |p| Point {
                x: p.x + 150.0,
                y: p.y,
            })
    }

    pub fn anchor_broker(&self, broker: u32) -> Point {
        self.brokers
            .get((broker as usize).wrapping_sub(1))
            .map_or(Point { x: 0.0, y: 0.0 }, |p| Point {
                x: p.x + self.broker_width / 2.0,
                y: p.y + self.broker_height / 2.0,
            })
    }

    pub fn anchor_member(&self, group: usize, member: usize) -> Point {
        self.members
            .iter()
            .find(|(key, _)| *key == (group, member))
            .map_or(Point { x: 0.0, y: 0.0 }, |(_, p)| Point {
                x: p.x,
                y: p.y + self.member_height / 2.0,
            })
    }
}

/// Which offsets a partition strip shows: the newest `cells` offsets up to the log end, never before the
/// log start. Returns `(first, end)`.
pub fn strip_window(log_start: u64, log_end: u64, cells: u64) -> (u64, u64) {
    let first = log_end.saturating_sub(cells).max(log_start);
    (first, log_end.max(first))
}

/// The x of offset `offset` on a strip showing `[first, first + cells)` over `width` units.
pub fn offset_x(offset: u64, first: u64, cells: u64, width: f64) -> f64 {
    let cells = cells.max(1) as f64;
    (offset.saturating_sub(first) as f64).min(cells) * width / cells
}

#[cfg(test)]
mod layout_tests {
    use super::*;

    #[test]
    fn nothing_overlaps_at_the_core_limits() {
        let members = [32usize; 8];
        let layout = Layout::compute(&Shape {
            producers: 16,
            brokers: 9,
            partitions: 8 * 64,
            members_per_group: &members,
        });
        for pair in layout.brokers.windows(2) {
            assert!(
                pair[0].x + layout.broker_width <= pair[1].x,
                "brokers overlap"
            );
        }
        assert!(layout.brokers.last().unwrap().x + layout.broker_width <= GROUP_X);
        for pair in layout.partition_rows.windows(2) {
            assert!(pair[1].y - pair[0].y >= layout.row_height - 1e-9);
        }
        for pair in layout.members.windows(2) {
            assert!(
                pair[1].1.y >= pair[0].1.y + layout.member_height,
                "members overlap"
            );
        }
        assert!(layout.compact);
        assert!(layout.members.last().unwrap().1.y + layout.member_height <= layout.height);
        assert!(layout.partition_rows.last().unwrap().y <= layout.height);
    }

    #[test]
    fn small_clusters_get_readable_rows() {
        let layout = Layout::compute(&Shape {
            producers: 1,
            brokers: 1,
            partitions: 1,
            members_per_group: &[1],
        });
        assert!(!layout.compact);
        assert_eq!(layout.brokers.len(), 1);
        assert!(layout.row_height >= 20.0);
    }

    #[test]
    fn strip_window_shows_the_newest_offsets_after_the_log_start() {
        assert_eq!(strip_window(0, 5, 30), (0, 5));
        assert_eq!(strip_window(0, 100, 30), (70, 100));
        assert_eq!(strip_window(90, 100, 30), (90, 100));
        assert_eq!(offset_x(85, 70, 30, 300.0), 150.0);
    }
}
