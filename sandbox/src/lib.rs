//! Local sandbox acquirer.
