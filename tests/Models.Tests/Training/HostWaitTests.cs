using SparseCore.Kernels;
using SparseCore.Kernels.Cpu;
using SparseCore.Kernels.Ilgpu;
using SparseCore.Models.Data;
using SparseCore.Models.Modules;
using SparseCore.Models.Optim;
using SparseCore.Models.Training;
using SparseCore.Models.Zoo;

namespace SparseCore.Models.Tests.Training;

/// <summary>
/// On the ILGPU backend every download and synchronisation drains the stream, so a training step
/// may wait for the device once: the batch's uploads are queued, the loss and the correct count
/// come back in one download. Counted on ILGPU's CPU simulator, whose backend counts waits as the
/// CUDA one does. The metrics must also be exactly what the CPU backend reports.
/// </summary>
public class HostWaitTests
{
    [Fact]
    public void A_training_step_on_the_ilgpu_backend_waits_for_the_device_once()
    {
        using var backend = IlgpuBackend.CreateCpuSimulator();
        var (waits, transfers, metrics) = Steps(backend, 3);
        Assert.All(waits, w => Assert.Equal(1, w));
        Assert.All(transfers, t => Assert.Equal(3, t)); // pixels and labels up, [loss, correct] down
        var (_, _, cpuMetrics) = Steps(new CpuBackend(), 3);
        Assert.Equal(cpuMetrics.Select(m => m.Correct), metrics.Select(m => m.Correct));
        for (int i = 0; i < metrics.Count; i++) Assert.Equal(cpuMetrics[i].LossSum, metrics[i].LossSum, 1e-5);
    }

    private static (List<long> Waits, List<long> Transfers, List<(double LossSum, int Correct)> Metrics) Steps(Backend backend, int steps)
    {
        using var owned = backend;
        var data = SyntheticDataset.Create(24, 1, 4, 4, 3, seed: 1);
        using var net = ModelZoo.Mlp(new ModuleInit(backend, 2), 16, [8], 3);
        using var opt = new Sgd(net.Parameters(), 0.1f, momentum: 0.9f);
        var trainer = new Trainer(net, opt, null, new TrainerOptions());
        using var loader = new DataLoader(data, 8, shuffle: false, seed: 1);
        var (waits, transfers, metrics) = (new List<long>(), new List<long>(), new List<(double, int)>());
        foreach (var batch in loader.Epoch(0).Take(steps))
        {
            long w = backend.HostWaits, t = backend.HostTransfers;
            metrics.Add(trainer.Step(batch));
            waits.Add(backend.HostWaits - w);
            transfers.Add(backend.HostTransfers - t);
        }
        return (waits, transfers, metrics);
    }
}
