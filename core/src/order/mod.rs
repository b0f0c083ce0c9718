//! Pure state machines for sales, attempts and refunds, and the planner that says what to do
//! next. No I/O here: the engine performs each step and feeds the outcome back, so every
//! transition can be tested exhaustively.

pub mod attempt;
pub mod attention;
pub mod plan;
pub mod refund;
pub mod sale;
pub mod terminal;

#[cfg(test)]
mod plan_tests;

pub use attempt::{AttemptEvent, AttemptStatus, AttemptTransitionRefused};
pub use attention::AttentionReason;
pub use plan::{
    plan_refund, plan_sale, Millis, Plan, Policy, RefundStep, RefundView, SaleKind, SaleStep,
    SaleView,
};
pub use refund::{RefundEvent, RefundState, RefundTransitionRefused};
pub use sale::{FailReason, SaleStatus, SaleTransitionRefused};
pub use terminal::{next_note, refine, NoteNews, TerminalNote};
