package org.jfpm.pool.policy;

import static org.jfpm.pool.policy.Fixtures.busy;
import static org.jfpm.pool.policy.Fixtures.seconds;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.jfpm.pool.PmConfig;
import org.jfpm.scoreboard.RequestStage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class PolicyActorTest {

    private static final ActorTestKit testKit =
            ActorTestKit.create(ManualTime.config().withFallback(ActorTestKit.applicationTestConfig()));
    private static final ManualTime manualTime = ManualTime.get(testKit.system());

    private static final PmConfig ONDEMAND = Fixtures.ondemandPm(5, Duration.ofSeconds(10), 0);

    /** What the PoolActor's protocol would wrap an Action in. */
    record Wrapped(Action action) {
    }

    @AfterAll
    static void shutdown() {
        testKit.shutdownTestKit();
    }

    private final AtomicLong clock = new AtomicLong(Fixtures.T0);
    private final TestProbe<Wrapped> pool = testKit.createTestProbe();

    private ActorRef<PolicyActor.Command> spawn(Policy policy) {
        return testKit.spawn(PolicyActor.create(policy, pool.ref(), Wrapped::new, PolicyActor.TICK_INTERVAL, clock::get));
    }

    private PoolView view(PmConfig pm, List<WorkerView> workers) {
        return new PoolView("www", pm, workers, 0, 0, false, true, clock.get());
    }

    @Test
    void decidesOnEachViewAndSendsEveryActionThroughTheAdapterInOrder() {
        ActorRef<PolicyActor.Command> actor = spawn(StaticPolicy.initial());
        PmConfig pm = Fixtures.staticPm(3, 100);
        WorkerView wornOut = Fixtures.wornOut(busy(7), 100);
        actor.tell(new PolicyActor.ViewChanged(view(pm, List.of(busy(5), busy(6), wornOut))));
        assertEquals(new Action.Bury(7, Action.BuryMode.GRACEFUL, "reached pm.max-requests (" + wornOut.requests()
                + " of " + wornOut.requests() + ")"), pool.receiveMessage().action());
        assertInstanceOf(Action.Spawn.class, pool.receiveMessage().action());
        pool.expectNoMessage(Duration.ofMillis(50));
    }

    @Test
    void aReadableEventIsDecidedAsReadable() {
        ActorRef<PolicyActor.Command> actor = spawn(OndemandPolicy.initial());
        PoolView quiet = view(ONDEMAND, List.of());
        actor.tell(new PolicyActor.ViewChanged(quiet));
        pool.expectNoMessage(Duration.ofMillis(50));
        actor.tell(new PolicyActor.Readable(quiet));
        assertEquals(new Action.Spawn(1, "connections waiting"), pool.receiveMessage().action());
    }

    @Test
    void aTickDecidesOnTheLatestViewAtTheCurrentTime() {
        ActorRef<PolicyActor.Command> actor = spawn(OndemandPolicy.initial());
        actor.tell(new PolicyActor.Readable(view(ONDEMAND, List.of())));
        assertEquals(1, ((Action.Spawn) pool.receiveMessage().action()).count());

        WorkerView fresh = new WorkerView(42, 0, 1, RequestStage.ACCEPTING, clock.get(), clock.get(), 1, false);
        actor.tell(new PolicyActor.ViewChanged(view(ONDEMAND, List.of(fresh))));
        manualTime.timePasses(Duration.ofSeconds(1));
        pool.expectNoMessage(Duration.ofMillis(50));

        clock.addAndGet(seconds(11));
        manualTime.timePasses(Duration.ofSeconds(1));
        Action.Bury bury = (Action.Bury) pool.receiveMessage().action();
        assertEquals(42, bury.pid(), "the tick saw the worker idle for 11 s although no new view came");
    }

    @Test
    void aTickDoesNotReplayAnOldReadableEvent() {
        ActorRef<PolicyActor.Command> actor = spawn(OndemandPolicy.initial());
        actor.tell(new PolicyActor.Readable(view(ONDEMAND, List.of())));
        assertEquals(1, ((Action.Spawn) pool.receiveMessage().action()).count());
        clock.addAndGet(seconds(5));
        manualTime.timePasses(Duration.ofSeconds(1));
        pool.expectNoMessage(Duration.ofMillis(50));
    }

    @Test
    void thePolicyStateCarriesFromOneDecisionToTheNext() {
        ActorRef<PolicyActor.Command> actor = spawn(DynamicPolicy.initial());
        PmConfig pm = Fixtures.dynamicPm(2, 1, 1, 1, 4, 0);
        PoolView full = new PoolView("www", pm, List.of(busy(1), busy(2)), 0, 3, true, true, clock.get());
        actor.tell(new PolicyActor.ViewChanged(full));
        assertEquals(new Action.MaxChildrenReached(2), pool.receiveMessage().action());
        assertInstanceOf(Action.Log.class, pool.receiveMessage().action());
        actor.tell(new PolicyActor.ViewChanged(full));
        actor.tell(new PolicyActor.Readable(full));
        pool.expectNoMessage(Duration.ofMillis(100));
    }

    @Test
    void aDrivenPolicyHasNoTimerAndDecidesAHeartbeatAsATick() {
        ActorRef<PolicyActor.Command> actor = testKit.spawn(PolicyActor.createDriven(OndemandPolicy.initial(), pool.ref(), Wrapped::new));
        actor.tell(new PolicyActor.Readable(view(ONDEMAND, List.of())));
        assertEquals(1, ((Action.Spawn) pool.receiveMessage().action()).count());
        WorkerView fresh = new WorkerView(42, 0, 1, RequestStage.ACCEPTING, clock.get(), clock.get(), 1, false);
        actor.tell(new PolicyActor.ViewChanged(view(ONDEMAND, List.of(fresh))));
        clock.addAndGet(seconds(11));
        manualTime.timePasses(Duration.ofSeconds(2));
        pool.expectNoMessage(Duration.ofMillis(50)); // no timer of its own: time alone decides nothing

        PoolView later = new PoolView("www", ONDEMAND, List.of(fresh), 0, 0, true, true, clock.get());
        actor.tell(new PolicyActor.Heartbeat(later));
        Action.Bury bury = (Action.Bury) pool.receiveMessage().action();
        assertEquals(42, bury.pid(), "the heartbeat's view shows the worker idle for 11 s");
        pool.expectNoMessage(Duration.ofMillis(50)); // readable was cleared: no spawn for it
    }
}
