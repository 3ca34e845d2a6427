//! Rebalances, step by step (the stories are told by `markup::story`).

use super::Ui;
use crate::markup::story::render;
use crate::messages::{t, Msg};
use leptos::prelude::*;

#[component]
pub fn Rebalances() -> impl IntoView {
    let ui = expect_context::<Ui>();
    let html = Memo::new(move |_| ui.stories.with(|book| render(&book.stories)));
    view! {
        <section class="ks-panel" aria-label=t(Msg::StoryTitle)>
            <h2 title=t(Msg::StoryTip)>{t(Msg::StoryTitle)}</h2>
            <div class="ks-stories" data-testid="rebalances" inner_html=move || html.get()></div>
        </section>
    }
}
