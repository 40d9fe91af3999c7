# The Qt Widgets stack of the workbench. Included by every GUI-only CMakeLists.txt: imported
# targets are scoped to the directory that finds them, and the top level finds only Core/Test.
find_package(Qt6 REQUIRED COMPONENTS Core Gui Widgets Svg SvgWidgets PrintSupport Test)
# Debian's Qt 6 build of QCustomPlot 2.1 (find_package(QCustomPlot) is the Qt 5 one).
find_package(QCustomPlotQt6 REQUIRED)
