using SparseCore.Kernels.Cpu;

namespace SparseCore.Kernels.Tests.Cpu;

/// <summary>
/// The CPU backend's worker team: a job run the moment a team exists must still reach every
/// worker, even with every core busy. A worker thread that read the job generation itself after
/// starting could read the first job's, take it for the one before, and leave the caller spinning
/// forever; the race is narrow (this stress test did not catch it before the fix, which reads the
/// generation on the constructing thread), so this guards the contract rather than proving the fix.
/// </summary>
public class WorkerTeamTests
{
    private sealed class CountThreads : IWorkerJob
    {
        public int Ran;

        public void Execute(in WorkerContext ctx) => Interlocked.Increment(ref Ran);
    }

    [Fact]
    public async Task A_job_run_right_after_the_team_is_made_reaches_every_thread()
    {
        // Busy threads on every core make a new worker thread wait for a core after it has
        // started, which is when it used to read the generation too late.
        using var stop = new CancellationTokenSource();
        var load = Enumerable.Range(0, 2 * Environment.ProcessorCount)
            .Select(_ => Task.Factory.StartNew(() => { while (!stop.IsCancellationRequested) Thread.SpinWait(1000); }, TaskCreationOptions.LongRunning))
            .ToArray();
        try
        {
            for (int i = 0; i < 200; i++)
            {
                var team = new WorkerTeam(4);
                var job = new CountThreads();
                var run = Task.Factory.StartNew(() => team.Run(job, 4), TaskCreationOptions.LongRunning);
                var finished = await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(20)));
                Assert.True(finished == run, $"team {i}: the first job never finished (a worker missed it)");
                Assert.Equal(4, job.Ran);
            }
        }
        finally
        {
            stop.Cancel();
            await Task.WhenAll(load);
        }
    }
}
