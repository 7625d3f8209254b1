// askalike (private): committing with Xapian's changesets on or off.
//
// Glass writes a changeset (what xapian-replicate-server sends to replicas)
// only when XAPIAN_MAX_CHANGESETS is set in the environment, and it reads the
// variable at EVERY commit, not when the database is opened. The variable is
// process-wide, so every commit of a writer runs through with_max_changesets:
// it sets the variable for the commit, and commits that want another value
// wait until no commit with the current value runs (commits wanting the same
// value run together). Caveat: code outside askalike that commits Xapian
// databases in the same process meanwhile sees the value too.
#ifndef ASKALIKE_LIB_CHANGESETS_HPP_
#define ASKALIKE_LIB_CHANGESETS_HPP_

#include <functional>

namespace askalike::detail {

// Runs `commit` with XAPIAN_MAX_CHANGESETS = `keep` (unset for 0).
void with_max_changesets(unsigned keep, const std::function<void()>& commit);

}  // namespace askalike::detail

#endif  // ASKALIKE_LIB_CHANGESETS_HPP_
