import Foundation
import Testing

@testable import TidingsSchedule

struct FetchScheduleTests {
    let now = Date(timeIntervalSince1970: 1_000_000)

    @Test func successWaitsTheIntervalWithJitter() {
        #expect(FetchSchedule.afterSuccess(now: now, interval: 900, random: 0.5) == now.addingTimeInterval(900))
        #expect(FetchSchedule.afterSuccess(now: now, interval: 900, random: 0) == now.addingTimeInterval(810))
        #expect(FetchSchedule.afterSuccess(now: now, interval: 900, random: 0.999).timeIntervalSince(now) < 990)
    }

    @Test func errorsBackOffExponentiallyUpToACap() {
        let delays = (1...12).map {
            FetchSchedule.afterError(now: now, interval: 900, consecutiveErrors: $0, random: 0.5).timeIntervalSince(now)
        }
        #expect(Array(delays.prefix(4)) == [30, 60, 120, 240])
        #expect(delays.last == FetchSchedule.backoffCap)
        #expect(zip(delays, delays.dropFirst()).allSatisfy { $0 <= $1 })
        // A source with a longer interval than the cap is never retried less often than its interval.
        #expect(FetchSchedule.afterError(now: now, interval: 86400, consecutiveErrors: 30, random: 0.5).timeIntervalSince(now) == 86400)
    }

    @Test func theIntervalFollowsTheFeedsRhythmWithinBounds() {
        let hourly = (0..<10).map { now.addingTimeInterval(Double(-$0) * 3600) }
        #expect(FetchSchedule.adaptiveInterval(itemDates: hourly, configured: 900, bounds: 300...43_200) == 1800)
        let minutely = (0..<10).map { now.addingTimeInterval(Double(-$0) * 60) }
        #expect(FetchSchedule.adaptiveInterval(itemDates: minutely, configured: 900, bounds: 300...43_200) == 300)
        let monthly = (0..<5).map { now.addingTimeInterval(Double(-$0) * 30 * 86_400) }
        #expect(FetchSchedule.adaptiveInterval(itemDates: monthly, configured: 900, bounds: 300...43_200) == 43_200)
        #expect(FetchSchedule.adaptiveInterval(itemDates: Array(hourly.prefix(2)), configured: 900, bounds: 300...43_200) == 900)
        #expect(FetchSchedule.adaptiveInterval(itemDates: [now, now, now], configured: 900, bounds: 300...43_200) == 900)
    }

    @Test func freshnessPushesTheNextFetchBackWithinACap() {
        let next = now.addingTimeInterval(600)
        #expect(FetchSchedule.honouringFreshness(next, now: now, freshFor: 3600, cap: 86_400) == now.addingTimeInterval(3600))
        #expect(FetchSchedule.honouringFreshness(next, now: now, freshFor: 60, cap: 86_400) == next)
        #expect(FetchSchedule.honouringFreshness(next, now: now, freshFor: 1e9, cap: 86_400) == now.addingTimeInterval(86_400))
    }

    @Test func startupKeepsFutureTimesAndSpreadsOverdueOnes() {
        let future = now.addingTimeInterval(300)
        #expect(FetchSchedule.atStartup(persisted: future, now: now, interval: 900, random: 0.3) == future)
        let spread = (0..<10).map { FetchSchedule.atStartup(persisted: nil, now: now, interval: 900, random: Double($0) / 10).timeIntervalSince(now) }
        #expect(spread.allSatisfy { $0 >= 0 && $0 <= FetchSchedule.startupSpread })
        #expect(Set(spread).count == 10)
    }
}

/// The scheduler on a virtual clock: every test sets `now` itself.
struct SchedulerTests {
    let t0 = Date(timeIntervalSince1970: 1_000_000)

    func at(_ seconds: Double) -> Date { t0.addingTimeInterval(seconds) }

    func scheduler(concurrent: Int = 4, hostDelay: Double = 0) -> Scheduler {
        Scheduler(policy: .init(maxConcurrent: concurrent, hostDelay: hostDelay), seed: 42)
    }

    /// Runs `work` to the end at `now`: transfer over, outcome, released.
    func finish(_ s: inout Scheduler, _ work: Work, host: String?, _ outcome: Scheduler.Outcome = .success(), now: Date) -> Date {
        s.transferEnded(work, now: now)
        let next = s.complete(work, outcome, now: now)
        s.release(work, now: now)
        return next
    }

    @Test func nothingStartsBeforeItIsDue() {
        var s = scheduler()
        s.add(.source(1), host: "a", interval: 60, due: at(10))
        #expect(s.nextStarts(now: at(9.9)).isEmpty)
        #expect(s.nextWakeup == at(10))
        #expect(s.nextStarts(now: at(10)) == [.source(1)])
        #expect(s.isRunning(.source(1)))
    }

    @Test func earliestDueStartsFirst() {
        var s = scheduler(concurrent: 1)
        s.add(.source(1), host: "a", interval: 60, due: at(3))
        s.add(.source(2), host: "b", interval: 60, due: at(1))
        s.add(.source(3), host: "c", interval: 60, due: at(2))
        #expect(s.nextStarts(now: at(1)) == [.source(2)])
        #expect(s.nextStarts(now: at(5)).isEmpty)  // the one slot is taken
        _ = finish(&s, .source(2), host: "b", now: at(5))
        #expect(s.nextStarts(now: at(5)) == [.source(3)])
        _ = finish(&s, .source(3), host: "c", now: at(5))
        #expect(s.nextStarts(now: at(5)) == [.source(1)])
    }

    @Test func oneRequestPerHostAtATimeAndHostDelayBetween() {
        var s = scheduler(concurrent: 10, hostDelay: 2)
        for id in 1...3 { s.add(.source(Int64(id)), host: "same", interval: 60, due: at(0)) }
        s.add(.source(9), host: "other", interval: 60, due: at(0))
        let first = s.nextStarts(now: at(0))
        #expect(first.count == 2)
        #expect(first.contains(.source(9)))
        #expect(first.contains(.source(1)))
        #expect(s.nextStarts(now: at(1)).isEmpty)  // "same" is busy
        s.transferEnded(.source(1), now: at(1))
        // The host's delay runs from the end of its last request; the slot is still held.
        #expect(s.nextStarts(now: at(2.9)).isEmpty)
        #expect(s.nextWakeup == at(3))
        #expect(s.nextStarts(now: at(3)) == [.source(2)])
        _ = s.complete(.source(1), .success(), now: at(3))
        s.release(.source(1), now: at(3))
        s.transferEnded(.source(2), now: at(3.5))
        #expect(s.nextStarts(now: at(5.5)) == [.source(3)])
    }

    @Test func perSourceStateIsSmall() {
        // One entry and one queued item per source: 100,000 sources hold 6.4 MB here.
        #expect(MemoryLayout<Scheduler.Entry>.stride == 32)
        #expect(MemoryLayout<Scheduler.Entry?>.stride == 32)
        #expect(MemoryLayout<Scheduler.Timed>.stride <= 32)
        #expect(MemoryLayout<Scheduler.Waiting>.stride <= 32)
    }

    @Test func aTransferFreesTheHostItStartedOnThoughTheSourceMovedMeanwhile() {
        var s = scheduler(concurrent: 10)
        s.add(.source(1), host: "old", interval: 60, due: at(0))
        s.add(.source(2), host: "old", interval: 60, due: at(0))
        s.add(.source(3), host: "new", interval: 60, due: at(0))
        #expect(Set(s.nextStarts(now: at(0))) == [.source(1), .source(3)])
        // Source 1 moves to "new" while its request to "old" is under way.
        s.update(.source(1), host: "new", interval: 60)
        s.transferEnded(.source(1), now: at(1))
        // "old" is free again (source 2 starts), and "new" still counts source 3's request.
        #expect(s.nextStarts(now: at(1)) == [.source(2)])
        #expect(s.transferCount == 2)
    }

    @Test func readyHostsGoInTheOrderOfTheirEarliestDueWork() {
        var s = scheduler(concurrent: 1)
        s.add(.source(1), host: "busy", interval: 60, due: at(0))
        s.add(.source(2), host: "busy", interval: 60, due: at(0.7))
        s.add(.source(10), host: "quiet", interval: 60, due: at(0.5))
        #expect(s.nextStarts(now: at(0)) == [.source(1)])
        #expect(s.nextStarts(now: at(0.8)).isEmpty)  // the one slot is taken
        _ = finish(&s, .source(1), host: "busy", now: at(1))
        // "quiet" has waited since 0.5, busy's next since 0.7.
        #expect(s.nextStarts(now: at(1)) == [.source(10)])
        _ = finish(&s, .source(10), host: "quiet", now: at(1))
        #expect(s.nextStarts(now: at(1)) == [.source(2)])
    }

    @Test func slotsAreHeldForTheTransferAndPendingWorkUntilRelease() {
        var s = Scheduler(policy: .init(maxConcurrent: 2, hostDelay: 0, maxPending: 3), seed: 1)
        for id in 1...6 { s.add(.source(Int64(id)), host: "h\(id)", interval: 60, due: at(0)) }
        #expect(s.nextStarts(now: at(0)).count == 2)
        #expect(s.transferCount == 2)
        // A transfer over frees its slot, though its result is not stored yet.
        s.transferEnded(.source(1), now: at(1))
        #expect(s.nextStarts(now: at(1)) == [.source(3)])
        s.transferEnded(.source(2), now: at(1))
        // Three started and unstored is the pending bound: nothing more starts.
        #expect(s.nextStarts(now: at(1)).isEmpty)
        #expect(s.runningCount == 3)
        _ = s.complete(.source(1), .success(), now: at(1))
        s.release(.source(1), now: at(1))
        #expect(s.nextStarts(now: at(1)).count == 1)
        #expect(s.waitingSources == 2)
    }

    @Test func successComesBackAfterTheIntervalWithJitter() {
        var s = scheduler()
        s.add(.source(1), host: "a", interval: 100, due: at(0))
        var gaps: [Double] = []
        var now = at(0)
        for _ in 0..<50 {
            #expect(s.nextStarts(now: now) == [.source(1)])
            let next = finish(&s, .source(1), host: "a", now: now)
            gaps.append(next.timeIntervalSince(now))
            #expect(s.nextStarts(now: next.addingTimeInterval(-0.001)).isEmpty)
            now = next
        }
        #expect(gaps.allSatisfy { $0 >= 90 && $0 < 110 })
        #expect(Set(gaps).count > 40)  // jittered
    }

    @Test func failuresBackOffAndSuccessResetsTheCount() {
        var s = scheduler()
        s.add(.source(1), host: "a", interval: 3600, due: at(0))
        var now = at(0)
        var waits: [Double] = []
        for _ in 0..<4 {
            _ = s.nextStarts(now: now)
            let next = finish(&s, .source(1), host: "a", .failure(), now: now)
            waits.append(next.timeIntervalSince(now))
            now = next
        }
        #expect(s.consecutiveErrors(.source(1)) == 4)
        // 30 s, 60 s, 120 s, 240 s, each ±20%.
        for (wait, base) in zip(waits, [30.0, 60, 120, 240]) { #expect(wait >= base * 0.8 && wait <= base * 1.2) }
        _ = s.nextStarts(now: now)
        let next = finish(&s, .source(1), host: "a", .success(), now: now)
        #expect(s.consecutiveErrors(.source(1)) == 0)
        #expect(next.timeIntervalSince(now) >= 3240)
    }

    @Test func retryAfterIsHonouredUpToADay() {
        var s = scheduler()
        s.add(.source(1), host: "a", interval: 60, due: at(0))
        _ = s.nextStarts(now: at(0))
        let next = finish(&s, .source(1), host: "a", .failure(retryAfter: 7200), now: at(0))
        #expect(next == at(7200))
        _ = s.nextStarts(now: next)
        let capped = finish(&s, .source(1), host: "a", .failure(retryAfter: 1e9), now: next)
        #expect(capped == next.addingTimeInterval(FetchSchedule.maxRetryAfter))
    }

    @Test func adaptiveIntervalAndFreshnessDecideTheNextTime() {
        var s = scheduler()
        s.add(.source(1), host: "a", interval: 60, due: at(0))
        _ = s.nextStarts(now: at(0))
        let adaptive = finish(&s, .source(1), host: "a", .success(interval: 1000), now: at(0))
        #expect(adaptive >= at(900) && adaptive < at(1100))
        _ = s.nextStarts(now: adaptive)
        let fresh = finish(&s, .source(1), host: "a", .success(freshFor: 5000), now: adaptive)
        #expect(fresh == adaptive.addingTimeInterval(5000))
    }

    @Test func pauseStopsStartsButNotTime() {
        var s = scheduler()
        s.add(.source(1), host: "a", interval: 60, due: at(0))
        s.paused = true
        #expect(s.nextStarts(now: at(5)).isEmpty)
        #expect(s.waitingSources == 1)
        s.paused = false
        #expect(s.nextStarts(now: at(6)) == [.source(1)])
    }

    @Test func disabledSourcesNeverStartAndEnablingMakesThemDue() {
        var s = scheduler()
        s.add(.source(1), host: "a", interval: 60, due: at(0), enabled: false)
        #expect(s.nextStarts(now: at(100)).isEmpty)
        s.setEnabled(.source(1), true, now: at(100))
        #expect(s.nextStarts(now: at(100)) == [.source(1)])
        // Disabled while running: it finishes, then is not scheduled again.
        s.setEnabled(.source(1), false, now: at(101))
        _ = finish(&s, .source(1), host: "a", now: at(101))
        #expect(s.nextStarts(now: at(1000)).isEmpty)
        #expect(s.nextWakeup == nil)
    }

    @Test func removedSourcesLeaveNothingBehind() {
        var s = scheduler(concurrent: 1)
        s.add(.source(1), host: "a", interval: 60, due: at(0))
        s.add(.source(2), host: "a", interval: 60, due: at(0))
        s.add(.source(3), host: "b", interval: 60, due: at(0))
        #expect(s.nextStarts(now: at(0)) == [.source(1)])
        s.remove(.source(2))  // waiting in host a's queue
        s.remove(.source(1))  // running: its slot is freed by release
        #expect(s.sourceCount == 1)
        #expect(s.nextStarts(now: at(1)).isEmpty)
        s.transferEnded(.source(1), now: at(1))
        s.release(.source(1), now: at(1))
        #expect(s.nextStarts(now: at(1)) == [.source(3)])
        _ = finish(&s, .source(3), host: "b", now: at(2))
        #expect(s.nextStarts(now: at(10_000)).isEmpty == false)  // only source 3 again
        #expect(s.waitingSources == 0)
    }

    @Test func fetchNowStartsDespitePauseAndRunsAgainIfBusy() {
        var s = scheduler(concurrent: 1)
        s.add(.source(1), host: "a", interval: 3600, due: at(1000))
        s.paused = true
        let started = s.startNow(.source(1), now: at(0))
        let again = s.startNow(.source(1), now: at(0))  // already running: again after release
        #expect(started && !again)
        let next = finish(&s, .source(1), host: "a", now: at(1))
        #expect(next > at(3000))
        s.paused = false
        #expect(s.nextStarts(now: at(1)) == [.source(1)])
    }

    @Test func rescheduleMovesTheDueTime() {
        var s = scheduler()
        s.add(.source(1), host: "a", interval: 3600, due: at(1000))
        s.reschedule(.source(1), at: at(5))
        #expect(s.nextWakeup == at(5))
        #expect(s.nextStarts(now: at(5)) == [.source(1)])
    }

    @Test func aChangedHostMovesAWaitingSource() {
        var s = scheduler(concurrent: 5)
        s.add(.source(1), host: "a", interval: 60, due: at(0))
        s.add(.source(2), host: "a", interval: 60, due: at(0))
        #expect(s.nextStarts(now: at(0)) == [.source(1)])
        s.update(.source(2), host: "b", interval: 60)
        #expect(s.nextStarts(now: at(0)) == [.source(2)])
    }

    @Test func pagesShareTheHostGateAndAreForgottenOnRelease() {
        var s = scheduler(concurrent: 10, hostDelay: 1)
        s.add(.source(1), host: "news", interval: 60, due: at(0))
        s.add(.page(100), host: "news", due: at(0))
        s.add(.page(101), host: "news", due: at(0))
        #expect(s.pageCount == 2)
        #expect(s.nextStarts(now: at(0)) == [.source(1)])
        s.transferEnded(.source(1), now: at(0.5))
        #expect(s.nextStarts(now: at(1)).isEmpty)
        #expect(s.nextStarts(now: at(1.5)) == [.page(100)])
        _ = finish(&s, .page(100), host: "news", now: at(2))
        #expect(!s.contains(.page(100)))
        #expect(s.nextStarts(now: at(3)) == [.page(101)])
    }

    @Test func hostlessWorkIsBoundOnlyByTheSlots() {
        var s = scheduler(concurrent: 2, hostDelay: 100)
        s.add(.source(1), host: nil, interval: 60, due: at(0))
        s.add(.source(2), host: nil, interval: 60, due: at(0))
        s.add(.source(3), host: nil, interval: 60, due: at(0))
        #expect(s.nextStarts(now: at(0)).count == 2)
        _ = finish(&s, .source(1), host: nil, now: at(0))
        #expect(s.nextStarts(now: at(0)) == [.source(3)])
    }

    /// Ten thousand sources on a hundred hosts: every source is polled once per interval, no
    /// host ever has two requests at once, and the politeness delay always holds.
    @Test func tenThousandSourcesStayPoliteAndOnTime() {
        var s = Scheduler(policy: .init(maxConcurrent: 256, hostDelay: 0.001), seed: 7)
        let hosts = (0..<100).map { "127.0.0.\($0 + 1)" }
        for id in 0..<10_000 { s.add(.source(Int64(id)), host: hosts[id % 100], interval: 10, due: at(Double(id % 97) / 97)) }
        var running: [Work: (host: String, end: Double)] = [:]
        var busy: [String: Int] = [:]
        var lastEnd: [String: Double] = [:]
        var polls: [Int64: Int] = [:]
        var now = 0.0
        let step = 0.0005  // each request takes 0.5 ms
        while now < 30 {
            // Requests that end now.
            for (work, run) in running where run.end <= now {
                busy[run.host, default: 0] -= 1
                lastEnd[run.host] = now
                _ = finish(&s, work, host: run.host, now: at(now))
                running[work] = nil
            }
            for work in s.nextStarts(now: at(now)) {
                guard case .source(let id) = work else { continue }
                let host = hosts[Int(id) % 100]
                #expect(busy[host, default: 0] == 0)
                if let last = lastEnd[host] { #expect(now - last >= 0.001 - 1e-9) }
                busy[host, default: 0] += 1
                polls[id, default: 0] += 1
                running[work] = (host, now + step)
            }
            now += step
        }
        // 30 s at a 10 s interval (±10%): each source was polled 3 or 4 times.
        #expect(polls.count == 10_000)
        #expect(polls.values.allSatisfy { $0 >= 3 && $0 <= 4 })
    }
}
