//! State–trait decomposition report per dimension (owned by the decomposition work, issue #4).
