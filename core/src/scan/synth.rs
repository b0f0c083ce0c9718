//! Synthetic payment-code frames (work in progress).
