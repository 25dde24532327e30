// model/clock.h: ManualClock runs what comes due in deadline order and only when moved;
// SteadyClock calls back on the event loop, and cancel() means the callback never runs.

#include "model/clock.h"

#include <QElapsedTimer>
#include <QTest>

using namespace metamcp;

class TestClock final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void manualRunsInDeadlineOrder()
    {
        ManualClock clock(100);
        QList<int> ran;
        QList<qint64> at;
        clock.schedule(130, [&] { ran << 3, at << clock.nowMs(); });
        clock.schedule(110, [&] { ran << 1, at << clock.nowMs(); });
        clock.scheduleIn(20, [&] { ran << 2, at << clock.nowMs(); });
        QCOMPARE(clock.pending(), 3);
        clock.advance(9);
        QVERIFY(ran.isEmpty());
        QCOMPARE(clock.nowMs(), 109);
        clock.advance(100);
        QCOMPARE(ran, (QList<int>{1, 2, 3}));
        QCOMPARE(at, (QList<qint64>{110, 120, 130}));
        QCOMPARE(clock.nowMs(), 209);
        QCOMPARE(clock.pending(), 0);
    }

    void manualCancelAndReschedule()
    {
        ManualClock clock;
        int a = 0, b = 0, chained = 0;
        const Clock::Handle ha = clock.scheduleIn(10, [&] { ++a; });
        clock.scheduleIn(10, [&] {
            ++b;
            // A callback that schedules more: what comes due within the same advance runs too.
            clock.scheduleIn(5, [&] { ++chained; });
        });
        clock.cancel(ha);
        clock.cancel(ha);    // twice: ignored
        clock.cancel(12345); // unknown: ignored
        clock.advance(20);
        QCOMPARE(a, 0);
        QCOMPARE(b, 1);
        QCOMPARE(chained, 1);
        // A deadline in the past runs at the next advance, even by 0.
        clock.schedule(clock.nowMs() - 50, [&] { ++a; });
        clock.advance(0);
        QCOMPARE(a, 1);
    }

    void steadyCallsBackAndCancels()
    {
        SteadyClock clock;
        const qint64 start = clock.nowMs();
        bool fired = false, cancelledFired = false;
        QElapsedTimer wall;
        wall.start();
        const Clock::Handle cancelled = clock.scheduleIn(1, [&] { cancelledFired = true; });
        clock.scheduleIn(20, [&] { fired = true; });
        clock.cancel(cancelled);
        QTRY_VERIFY(fired);
        QVERIFY(clock.nowMs() - start >= 20);
        QVERIFY(!cancelledFired); // due long before the other one
        QVERIFY(clock.nowMs() >= start);
    }
};

QTEST_GUILESS_MAIN(TestClock)
#include "tst_clock.moc"
