//! Variance components and the state–trait decomposition (issue #4).
