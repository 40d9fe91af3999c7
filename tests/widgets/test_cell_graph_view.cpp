#include "cell_graph_view.h"

#include <QRegularExpression>
#include <QTest>

using wb::darts::Genotype;
using wb::render::CellType;
using wb::ui::CellGraphView;

namespace {

Genotype genotype(int nodes)
{
    Genotype g;
    for (int n = 0; n < nodes; ++n) {
        g.normal.push_back({"sep_conv_3x3", 0});
        g.normal.push_back({"skip_connect", n + 1});
        g.reduce.push_back({"max_pool_3x3", 1});
        g.reduce.push_back({"avg_pool_3x3", n == 0 ? 0 : n + 1});
        g.normalConcat.push_back(n + 2);
        g.reduceConcat.push_back(n + 2);
    }
    return g;
}

int svgNodes(const QByteArray& svg)
{
    // Graphviz writes one <g id="nodeK" class="node"> group per node.
    return int(QString::fromUtf8(svg).count(QStringLiteral("class=\"node\"")));
}

} // namespace

class TestCellGraphView : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void svgHasOneNodePerState_data()
    {
        QTest::addColumn<int>("nodes");
        QTest::addColumn<bool>("reduce");
        QTest::newRow("2 nodes normal") << 2 << false;
        QTest::newRow("4 nodes normal") << 4 << false;
        QTest::newRow("3 nodes reduce") << 3 << true;
    }
    void svgHasOneNodePerState()
    {
        QFETCH(int, nodes);
        QFETCH(bool, reduce);
        CellGraphView view;
        QVERIFY(view.setGenotype(genotype(nodes), reduce ? CellType::Reduce : CellType::Normal));
        QVERIFY(view.hasGraph());
        // Two cell inputs, the intermediate nodes and the output.
        QCOMPARE(svgNodes(view.svg()), nodes + 3);
        QVERIFY(view.dot().contains(QStringLiteral("c_{k}")));
        QVERIFY(view.svg().contains(reduce ? "max_pool_3x3" : "sep_conv_3x3"));
    }

    void paintsTheGraph()
    {
        CellGraphView view;
        view.resize(400, 220);
        view.setGenotype(genotype(2), CellType::Normal);
        const QImage image = view.grab().toImage();
        QVERIFY(!image.isNull());
        // Graphviz fills nodes with colours: some pixel must be neither white nor grey.
        bool coloured = false;
        for (int y = 0; y < image.height() && !coloured; y += 2)
            for (int x = 0; x < image.width() && !coloured; x += 2) {
                const QColor c = image.pixelColor(x, y);
                coloured = std::abs(c.red() - c.blue()) > 30 || std::abs(c.green() - c.blue()) > 30;
            }
        QVERIFY(coloured);
    }

    void edgeStyleCarriesWeightsAndHighlights()
    {
        const Genotype g = genotype(2); // 4 edges
        const wb::render::EdgeStyle style{{0.1f, 0.5f, 0.3f, 0.5f}, {false, true, false, false}};
        const QString dot =
            QString::fromStdString(wb::render::cellDot(g, wb::render::CellType::Normal, style));
        QCOMPARE(dot.count(QStringLiteral("penwidth=1.00")), 1); // the lightest edge
        QCOMPARE(dot.count(QStringLiteral("penwidth=5.00")), 2); // the heaviest two
        QCOMPARE(dot.count(QStringLiteral("penwidth=3.00")), 1); // halfway
        QCOMPARE(dot.count(QStringLiteral(", color=red")), 1);
        QVERIFY(dot.contains(QStringLiteral(" 0.30\"")));
        // Weights of the wrong length are ignored rather than misattributed.
        const QString plain = QString::fromStdString(
            wb::render::cellDot(g, wb::render::CellType::Normal, {{0.5f}, {}}));
        QVERIFY(!plain.contains(QStringLiteral("penwidth=1.00")));
        CellGraphView view;
        QVERIFY(view.setGenotype(g, wb::render::CellType::Normal, style));
        QVERIFY(view.dot().contains(QStringLiteral("color=red")));
    }

    void darkPaletteDrawsLightEdgesAndExportsPaper()
    {
        CellGraphView view;
        view.resize(400, 220);
        QVERIFY(view.setGenotype(genotype(2), CellType::Normal));
        QVERIFY(!view.onDarkPalette());
        QCOMPARE(view.shownSvg(), view.svg());

        // Switching the palette redraws the shown graph without a new setGenotype().
        QPalette dark = view.palette();
        dark.setColor(QPalette::Base, QColor(30, 30, 30));
        dark.setColor(QPalette::Text, QColor(230, 230, 230));
        view.setPalette(dark);
        QVERIFY(view.onDarkPalette());
        QVERIFY(view.shownSvg().contains("#c8c8c8")); // light edges
        QVERIFY(!view.svg().contains("#c8c8c8"));     // the export stays the paper version
        QVERIFY(!view.dot().contains(QStringLiteral("transparent")));
        // The sheet is the dark base colour: a corner is dark, not Graphviz white.
        const QImage image = view.grab().toImage();
        QVERIFY(QColor(image.pixel(image.width() - 3, image.height() - 3)).lightness() < 80);

        view.setPalette(QPalette());
        QVERIFY(!view.onDarkPalette());
        QCOMPARE(view.shownSvg(), view.svg());
    }

    void emptyGenotypeShowsAMessage()
    {
        CellGraphView view;
        QVERIFY(!view.setGenotype(Genotype{}, CellType::Normal));
        QVERIFY(!view.hasGraph());
        QVERIFY(!view.errorMessage().isEmpty());
        QVERIFY(view.svg().isEmpty());
    }
};

QTEST_MAIN(TestCellGraphView)
#include "test_cell_graph_view.moc"
