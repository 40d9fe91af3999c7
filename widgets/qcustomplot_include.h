#pragma once

// The one way to include QCustomPlot: Debian's qcustomplot.h uses the bare `signals` and
// `foreach` keywords, which QT_NO_KEYWORDS removes. Map them around the include only.
#include <QObject>

#define signals Q_SIGNALS
#define foreach Q_FOREACH
#include <qcustomplot.h>
#undef signals
#undef foreach
