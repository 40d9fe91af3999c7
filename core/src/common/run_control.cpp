#include "wb/common/run_control.h"

namespace wb {

void RunControl::requestStop()
{
    {
        std::lock_guard lock(m_mutex);
        m_stop = true;
    }
    m_wake.notify_all();
}

void RunControl::pause()
{
    m_paused = true;
}

void RunControl::resume()
{
    {
        std::lock_guard lock(m_mutex);
        m_paused = false;
    }
    m_wake.notify_all();
}

bool RunControl::checkpoint()
{
    if (m_paused.load()) {
        std::unique_lock lock(m_mutex);
        m_wake.wait(lock, [this] { return !m_paused.load() || m_stop.load(); });
    }
    return !m_stop.load();
}

} // namespace wb
