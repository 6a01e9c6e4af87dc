//! Agreement report per dimension (owned by the agreement work, issue #3).
