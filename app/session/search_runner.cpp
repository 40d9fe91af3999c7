#include "search_session.h"

#include "wb/darts/search.h"

namespace wb::session {

// Kept in its own translation unit: only code that asks for the real search pulls LibTorch's
// wb_core objects into the link.
SearchSession::Runner SearchSession::searchRunner(darts::SearchConfig config)
{
    return [config = std::move(config)](RunControl& control, darts::RunObserver& observer) {
        return darts::runSearch(config, control, observer);
    };
}

} // namespace wb::session
