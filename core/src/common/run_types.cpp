#include "wb/common/run_types.h"

namespace wb {

std::string statusName(RunStatus status)
{
    switch (status) {
    case RunStatus::Running:
        return "running";
    case RunStatus::Done:
        return "done";
    case RunStatus::Cancelled:
        return "cancelled";
    case RunStatus::Failed:
        return "failed";
    case RunStatus::Interrupted:
        return "interrupted";
    }
    return "unknown";
}

std::string statusName(RunStatus status, const std::string& stopReason)
{
    return status == RunStatus::Done && !stopReason.empty() ? "stopped" : statusName(status);
}

} // namespace wb
