#pragma once

#include "wb/darts/observer.h"

#include <initializer_list>
#include <vector>

namespace wb::darts {

// Forwards every callback to several observers in order (e.g. progress printing + run store).
// Holds non-owning pointers; same thread contract as the observers it forwards to.
class ObserverList : public RunObserver {
public:
    ObserverList(std::initializer_list<RunObserver*> observers) : m_observers(observers) {}

    void onDataset(const DatasetSummary& d) override
    {
        each([&](auto* o) { o->onDataset(d); });
    }
    void onStep(const StepMetrics& m) override
    {
        each([&](auto* o) { o->onStep(m); });
    }
    void onEpoch(const EpochMetrics& m) override
    {
        each([&](auto* o) { o->onEpoch(m); });
    }
    void onAlphas(const AlphaSnapshot& a) override
    {
        each([&](auto* o) { o->onAlphas(a); });
    }
    void onIssue(const Issue& i) override
    {
        each([&](auto* o) { o->onIssue(i); });
    }
    void onCheckpoint(const CheckpointInfo& c) override
    {
        each([&](auto* o) { o->onCheckpoint(c); });
    }
    void onTest(const TestMetrics& t) override
    {
        each([&](auto* o) { o->onTest(t); });
    }

private:
    template <typename Fn> void each(Fn&& fn)
    {
        for (auto* o : m_observers)
            if (o) fn(o);
    }
    std::vector<RunObserver*> m_observers;
};

} // namespace wb::darts
