#pragma once

// The workbench shows every accuracy one way: a percentage with one decimal ("56.0%"), in tables,
// headers and texts alike (plots label their axis "accuracy (%)").

#include <QString>

namespace wb::session {

inline QString percent(double fraction)
{
    return QString::number(100.0 * fraction, 'f', 1) + u'%';
}

} // namespace wb::session
