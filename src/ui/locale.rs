//! Choosing the page's language: from the link (`lang=`), else the reader's remembered choice, else the
//! browser's language (`zh*` → zh-CN, anything else → en). A language's catalogue is fetched from
//! `locales/<tag>.json` (same origin) the first time it is shown. Switching re-renders the page in the
//! new language; the simulation and its clock go on untouched.

use super::Ui;
use crate::messages::{self, t, Locale, Msg};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// Where the choice is remembered (`localStorage`).
const STORAGE_KEY: &str = "kafka-sim.lang";

/// The browser's `localStorage`, where the page keeps what it remembers between visits.
pub(crate) fn storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

/// The language the page starts in, and the link's error if its `lang=` was bad.
pub fn initial() -> (Locale, Option<String>) {
    let hash = web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default();
    let (from_link, error) = match crate::share::link_locale(&hash) {
        Ok(locale) => (locale, None),
        Err(error) => (None, Some(crate::markup::events::input_error(&error))),
    };
    let remembered = || {
        storage()
            .and_then(|s| s.get_item(STORAGE_KEY).ok().flatten())
            .and_then(|tag| Locale::from_tag(&tag))
    };
    let browser = || {
        web_sys::window()
            .and_then(|w| w.navigator().language())
            .map_or(Locale::En, |language: String| {
                Locale::from_browser(&language)
            })
    };
    (from_link.or_else(remembered).unwrap_or_else(browser), error)
}

/// Fetches and installs the catalogue of `locale` unless it is already there.
pub async fn load(locale: Locale) -> Result<(), String> {
    let path = locale.catalogue_path();
    if messages::is_loaded(locale) {
        return Ok(());
    }
    let text = fetch_text(path).await?;
    install(locale, &text).map_err(|error| format!("{path}: {error}"))
}

/// A file of the page's own origin, as text.
pub async fn fetch_text(path: &str) -> Result<String, String> {
    let window = web_sys::window().ok_or("no window")?;
    let fail = |error: wasm_bindgen::JsValue| format!("{path}: {error:?}");
    let response = wasm_bindgen_futures::JsFuture::from(window.fetch_with_str(path))
        .await
        .map_err(fail)?;
    let response: web_sys::Response = response.dyn_into().map_err(fail)?;
    if !response.ok() {
        return Err(format!("{path}: HTTP {}", response.status()));
    }
    Ok(
        wasm_bindgen_futures::JsFuture::from(response.text().map_err(fail)?)
            .await
            .map_err(fail)?
            .as_string()
            .unwrap_or_default(),
    )
}

/// Keeps a catalogue file's texts for `locale`. The browser's own `JSON` parses it; an object's values
/// come in the file's order, which is the keys' order (`tests/i18n.rs`).
pub fn install(locale: Locale, json: &str) -> Result<(), String> {
    let object = js_sys::JSON::parse(json).map_err(|error| format!("{error:?}"))?;
    if !object.is_object() {
        return Err("not a JSON object".into());
    }
    let texts = js_sys::Object::values(object.unchecked_ref())
        .iter()
        .map(|value: wasm_bindgen::JsValue| value.as_string().unwrap_or_default())
        .collect();
    messages::install_texts(locale, texts)
}

/// Marks the document as written in the current language: `<html lang>` and the title.
pub fn apply_to_document() {
    let locale = messages::locale();
    if let Some(document) = web_sys::window().and_then(|w| w.document()) {
        if let Some(root) = document.document_element() {
            let _ = root.set_attribute("lang", locale.tag());
        }
        document.set_title(t(Msg::DocumentTitle));
    }
}

/// Switches the running page to `locale` (fetching its catalogue first if need be), remembers the choice
/// and puts it in the link. The simulation is not touched.
pub fn switch(ui: Ui, locale: Locale) {
    if messages::is_loaded(locale) {
        show(ui, locale);
        return;
    }
    leptos::task::spawn_local(async move {
        match load(locale).await {
            Ok(()) => show(ui, locale),
            Err(error) => ui
                .error
                .set(Some(format!("{}: {error}", t(Msg::ErrorLanguage)))),
        }
    });
}

fn show(ui: Ui, locale: Locale) {
    messages::set_locale(locale);
    apply_to_document();
    if let Some(storage) = storage() {
        let _ = storage.set_item(STORAGE_KEY, locale.tag());
    }
    // The event log keeps each line's sentence: write them again in the new language.
    ui.events.update(|log| {
        for line in log.iter_mut() {
            line.2 = crate::markup::events::sentence(&line.1);
        }
    });
    ui.locale.set(locale);
    super::rewrite_link(ui);
}
