using System.Diagnostics;
using SparseCore.Kernels.Cpu;
using SparseCore.Kernels.Diagnostics;
using SparseCore.Kernels.Memory;
using SparseCore.Kernels.Norm;
using SparseCore.Models.Data;
using SparseCore.Models.Modules;
using SparseCore.Models.Optim;
using SparseCore.Models.Training;
using SparseCore.Models.Zoo;

namespace SparseCore.Models.Tests.Training;

/// <summary>
/// `--profile` as the training loop drives it: the rows account for the wall time of a real run,
/// and an op made slow on purpose is the one the profile puts on top.
/// </summary>
public class ProfileTests
{
    [Fact]
    public void Rows_of_a_resnet_training_run_sum_to_its_wall_time_within_5_percent()
    {
        using var backend = new CpuBackend();
        var (profiler, wall) = Train(backend);
        double profiled = profiler.ProfiledSeconds;
        Assert.True(Math.Abs(profiled - wall) <= 0.05 * wall, $"profiled {profiled:F3} s against a wall of {wall:F3} s");
        var labels = profiler.Rows().Select(r => r.Label).ToList();
        foreach (string expected in new[] { "forward · conv forward", "backward · conv weight-gradient", "backward · conv data-gradient",
                                            "forward · batch-norm", "backward · batch-norm", "optimizer · optimizer step", "evaluation forward · conv forward" })
            Assert.Contains(expected, labels);
        Assert.Contains(profiler.Rows(), r => r.Region == ProfileRegions.Data && r.Family is null);
        Assert.All(profiler.Rows().Where(r => r.Family is OpFamily.ConvForward), r => Assert.True(r.Gflops > 0));
    }

    [Fact]
    public void A_batch_norm_slowed_on_purpose_comes_out_on_top()
    {
        using var backend = new SlowBatchNormBackend();
        var (profiler, _) = Train(backend);
        var top = profiler.Rows()[0];
        Assert.Equal(OpFamily.BatchNorm, top.Family);
        Assert.Equal(ProfileRegions.Forward, top.Region);
    }

    private static (Profiler Profiler, double WallSeconds) Train(CpuBackend backend)
    {
        var rng = new System.Random(5);
        int n = 96;
        var pixels = new float[n * 144];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = (float)rng.NextDouble();
        var data = new ImageDataset(pixels, Enumerable.Range(0, n).Select(i => i % 3).ToArray(), 1, 12, 12, 3, "random");
        using var net = ModelZoo.Create("resnet20", new ModuleInit(backend, 1), 1, 12, 12, 3);
        using var opt = new Sgd(net.Parameters(), 0.05f, 0.9f, 5e-4f, nesterov: true);
        using var train = new DataLoader(data, 16, shuffle: true, seed: 1);
        using var eval = new DataLoader(data, 32, shuffle: false);
        var trainer = new Trainer(net, opt, null, new TrainerOptions { Epochs = 2 });
        var profiler = backend.Profiler = new Profiler();
        var clock = Stopwatch.StartNew();
        trainer.Fit(train, eval);
        double wall = clock.Elapsed.TotalSeconds;
        backend.Profiler = null;
        return (profiler, wall);
    }

    /// <summary>The CPU backend with a batch-norm forward that sleeps 20 ms a call: far more than any other op of this tiny run.</summary>
    private sealed class SlowBatchNormBackend : CpuBackend
    {
        protected override void RunBatchNorm2d(DeviceBuffer<float> x, DeviceBuffer<float> gamma, DeviceBuffer<float> beta,
                                               DeviceBuffer<float> runningMean, DeviceBuffer<float> runningVar, DeviceBuffer<float> y,
                                               DeviceBuffer<float> saveMean, DeviceBuffer<float> saveRstd, BatchNormShape shape,
                                               bool training, float momentum, float eps)
        {
            if (training) Thread.Sleep(20);
            base.RunBatchNorm2d(x, gamma, beta, runningMean, runningVar, y, saveMean, saveRstd, shape, training, momentum, eps);
        }
    }
}
