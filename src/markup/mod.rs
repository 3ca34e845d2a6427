//! Markup the page writes as strings (the picture's SVG layer, the describe tables, charts, the event log,
//! the rebalance story), through one typed writer that escapes every value it did not get as a
//! `&'static str`.
//!
//! Literal markup (tags, attribute names, fixed fragments) can only be given as `&'static str`; anything
//! computed (a name from a scenario, a number, a message) goes through [`Markup::text`] or an attribute
//! value and is escaped on the way in. So a `format!` result cannot be written raw: forgetting to escape
//! does not compile. Pure and native, so tests render it with hostile names (`tests` below and in each
//! writer's module).

pub mod action;
pub mod controls;
pub mod events;
pub mod lesson;
pub mod panels;
pub mod picture;
pub mod selection;
pub mod story;
pub mod world;

use crate::sim::num::Fixed;
use std::fmt::{self, Display, Write};

/// Escapes `&`, `<`, `>`, `"` and `'`: safe in text and in a double- or single-quoted attribute value.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let _ = Escaper(&mut out).write_str(text);
    out
}

/// Everything written through it is escaped.
struct Escaper<'a>(&'a mut String);

impl Write for Escaper<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let mut rest = s;
        while let Some(at) = rest.find(['&', '<', '>', '"', '\'']) {
            self.0.push_str(&rest[..at]);
            self.0.push_str(match rest.as_bytes()[at] {
                b'&' => "&amp;",
                b'<' => "&lt;",
                b'>' => "&gt;",
                b'"' => "&quot;",
                _ => "&#39;",
            });
            rest = &rest[at + 1..];
        }
        self.0.push_str(rest);
        Ok(())
    }
}

/// A markup string under construction.
#[derive(Default)]
pub struct Markup {
    out: String,
}

impl Markup {
    pub fn with_capacity(capacity: usize) -> Self {
        Markup {
            out: String::with_capacity(capacity),
        }
    }

    /// Literal markup: only a `&'static str`, never something computed.
    pub fn raw(&mut self, markup: &'static str) -> &mut Self {
        self.out.push_str(markup);
        self
    }

    /// Text content, escaped.
    pub fn text(&mut self, text: impl Display) -> &mut Self {
        let _ = write!(Escaper(&mut self.out), "{text}");
        self
    }

    /// Starts an element: `<tag`, then attributes, then one of [`Open`]'s closing calls.
    pub fn open(&mut self, tag: &'static str) -> Open<'_> {
        self.out.push('<');
        self.out.push_str(tag);
        Open { markup: self, tag }
    }

    /// `</tag>`, for an element left open by [`Open::end`].
    pub fn close(&mut self, tag: &'static str) -> &mut Self {
        self.out.push_str("</");
        self.out.push_str(tag);
        self.out.push('>');
        self
    }

    pub fn as_str(&self) -> &str {
        &self.out
    }

    pub fn into_string(self) -> String {
        self.out
    }
}

/// An element's start tag being written: attributes, then `end`, `empty`, `text` or `children`.
#[must_use = "an element's start tag must be closed (end, empty, text or children)"]
pub struct Open<'a> {
    markup: &'a mut Markup,
    tag: &'static str,
}

impl<'a> Open<'a> {
    /// ` name="value"`, the value escaped.
    pub fn attr(self, name: &'static str, value: impl Display) -> Self {
        let out = &mut self.markup.out;
        out.push(' ');
        out.push_str(name);
        out.push_str("=\"");
        let _ = write!(Escaper(out), "{value}");
        out.push('"');
        self
    }

    /// ` data-action="…"`: what a click on the element does (its only writer; the page decodes it with
    /// [`action::Action::decode`]).
    pub fn action(self, action: &action::Action) -> Self {
        self.attr("data-action", action.encode())
    }

    /// ` name="value"` with one decimal (coordinates).
    pub fn num(self, name: &'static str, value: f64) -> Self {
        let out = &mut self.markup.out;
        let _ = write!(out, " {name}=\"{}\"", Fixed(value, 1));
        self
    }

    /// An attribute written only when `value` is `Some`.
    pub fn attr_opt(self, name: &'static str, value: Option<impl Display>) -> Self {
        match value {
            Some(value) => self.attr(name, value),
            None => self,
        }
    }

    /// `>`: the element stays open until [`Markup::close`].
    pub fn end(self) -> &'a mut Markup {
        self.markup.out.push('>');
        self.markup
    }

    /// `/>`: an element without content.
    pub fn empty(self) -> &'a mut Markup {
        self.markup.out.push_str("/>");
        self.markup
    }

    /// `>text</tag>`, the text escaped.
    pub fn text(self, text: impl Display) -> &'a mut Markup {
        let tag = self.tag;
        self.end().text(text).close(tag)
    }

    /// `>`, whatever `content` writes, then `</tag>`.
    pub fn children(self, content: impl FnOnce(&mut Markup)) -> &'a mut Markup {
        let tag = self.tag;
        let markup = self.end();
        content(markup);
        markup.close(tag)
    }
}

/// Views whose every name is one string, for tests that render them.
#[cfg(test)]
pub(crate) mod tests_support {
    use crate::sim::view::ClusterView;
    use crate::sim::Simulation;
    use std::sync::OnceLock;

    /// Strings that must never survive into markup unescaped, in tests across the crate: each one breaks
    /// out of text or of an attribute value if it is written raw.
    pub const HOSTILE: &[&str] = &[
        "<img src=x onerror=alert(1)>",
        "\"><svg onload=alert(1)>",
        "'><script>alert(1)</script>",
        "</li><script>alert(1)</script>",
        "javascript:alert(1)",
    ];

    /// How many `<`, `"` and `'` a piece of markup holds: the same for a render with hostile names as for one
    /// with plain names exactly when no such character from a name survived unescaped.
    pub fn structure(markup: &str) -> [usize; 3] {
        ['<', '"', '\''].map(|c| markup.matches(c).count())
    }

    fn base() -> &'static ClusterView {
        static VIEW: OnceLock<ClusterView> = OnceLock::new();
        VIEW.get_or_init(|| {
            let mut sim =
                Simulation::from_json(include_str!("../../public/scenarios/order-service.json"))
                    .expect("valid");
            sim.advance_to(15_000_000);
            sim.view()
        })
    }

    /// The order-service view after 15 s with every producer, topic, group and member named `name`.
    pub fn hostile_view(name: &str) -> ClusterView {
        let mut v = base().clone();
        for p in &mut v.producers {
            p.id = name.into();
            p.topic = name.into();
        }
        for topic in &mut v.topics {
            topic.name = name.into();
        }
        for g in &mut v.groups {
            g.group = name.into();
            g.leader = g.leader.as_ref().map(|_| name.into());
            for m in &mut g.members {
                m.member = name.into();
                m.member_id = m.member_id.as_ref().map(|_| format!("{name}-0"));
                for (topic, _) in &mut m.assignment {
                    *topic = name.into();
                }
            }
            for row in &mut g.partitions {
                row.topic = name.into();
                row.consumer_id = row.consumer_id.as_ref().map(|_| format!("{name}-0"));
                row.client_id = row.client_id.as_ref().map(|_| name.into());
            }
        }
        v
    }

    /// The same view with plain names: a render of it has the markup structure a render of
    /// `hostile_view` must have.
    pub fn plain_view() -> ClusterView {
        hostile_view("plain")
    }

    /// Every network node of `view`: the controller, the brokers, the producers and the members.
    pub fn nodes_of(view: &ClusterView) -> Vec<crate::sim::network::Node> {
        use crate::sim::ids::{BrokerId, GroupIx, MemberSlot, ProducerIx};
        use crate::sim::network::Node;
        let mut nodes = vec![Node::Controller];
        nodes.extend(view.brokers.iter().map(|b| Node::Broker {
            broker: BrokerId(b.id),
        }));
        nodes.extend((0..view.producers.len()).map(|p| Node::Producer {
            producer: ProducerIx::at(p),
        }));
        for (g, group) in view.groups.iter().enumerate() {
            nodes.extend((0..group.members.len()).map(|m| Node::Member {
                group: GroupIx::at(g),
                member: MemberSlot::at(m),
            }));
        }
        nodes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_attributes_are_escaped() {
        let mut m = Markup::default();
        m.open("li")
            .attr("data-group", "\"><svg onload=x>")
            .num("x", 1.25)
            .text("</li><script>alert('x')</script> & more");
        assert_eq!(
            m.as_str(),
            "<li data-group=\"&quot;&gt;&lt;svg onload=x&gt;\" x=\"1.2\">&lt;/li&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; more</li>"
        );
    }

    #[test]
    fn elements_nest_and_close() {
        let mut m = Markup::default();
        m.open("g").attr("class", "a").children(|m| {
            m.open("rect").num("x", 2.0).empty();
            m.open("text").end().text(format_args!("{} · {}", "a<b", 3));
            m.close("text");
        });
        assert_eq!(
            m.into_string(),
            r#"<g class="a"><rect x="2.0"/><text>a&lt;b · 3</text></g>"#
        );
    }

    #[test]
    fn escape_leaves_plain_text_alone() {
        assert_eq!(escape("orders-0 user_1"), "orders-0 user_1");
        for hostile in tests_support::HOSTILE {
            let escaped = escape(hostile);
            assert!(!escaped.contains(['<', '>', '"', '\'']), "{escaped}");
        }
    }
}
