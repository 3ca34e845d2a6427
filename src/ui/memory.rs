//! How much memory the page holds: the wasm module's memory, which grows as the allocator needs room and
//! never shrinks (what is freed is reused). The budget (`crate::budget`) pauses the simulation before the
//! module could run out. (Counting the allocator's live bytes instead cost about 1 KB of the size budget.)

/// The wasm module's memory: what the browser has reserved for it (it never shrinks).
pub fn wasm_bytes() -> usize {
    core::arch::wasm32::memory_size::<0>() * 65_536
}

thread_local! {
    static BUDGET: std::cell::RefCell<crate::budget::Budget> =
        const { std::cell::RefCell::new(crate::budget::Budget::new(crate::budget::PAUSE_AT, crate::budget::HARD_STOP)) };
}

/// Checked before each frame the simulation runs.
pub fn check() -> crate::budget::Verdict {
    BUDGET.with(|budget| budget.borrow_mut().check(wasm_bytes()))
}

/// The learner took a way out of the budget's notice.
pub fn way_out_taken() {
    BUDGET.with(|budget| budget.borrow_mut().way_out(wasm_bytes()));
}

/// For the browser test of the budget (`run.mjs`): thresholds this many bytes above what the page holds
/// now, so that the test reaches them in seconds. Nothing in the page calls it.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn set_memory_budget_for_test(first_above: usize, hard_above: usize) {
    let live = wasm_bytes();
    BUDGET.with(|budget| {
        *budget.borrow_mut() = crate::budget::Budget::new(live + first_above, live + hard_above)
    });
}

/// The wasm memory in bytes, for the soak benchmark.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn memory_in_use() -> f64 {
    wasm_bytes() as f64
}
