using System.Diagnostics;
using System.Globalization;
using SparseCore.Kernels.Diagnostics;
using SparseCore.Kernels.Ilgpu;
using SparseCore.Models.Modules;
using SparseCore.Models.Optim;
using SparseCore.Models.Zoo;
using SparseCore.Tensors;

namespace SparseCore.Cli.GpuCheck;

/// <summary>
/// One training step (ResNet-20 on a GPU) (forward, cross-entropy, backward, Nesterov SGD; the batch already
/// on the device, as the network benchmark keeps it) timed three ways over the same steps:
/// wall time with one synchronisation at the end; host time to issue them (the loop before that
/// synchronisation, when the host is back from its last launch); and device time between stream
/// markers before and after. Host issue ≈ wall means the host's launches bound the step; device
/// time ≫ host issue means the kernels do. A profiled step then counts the kernel launches, so
/// host time per launch can be read off.
/// </summary>
internal sealed class TrainingStepSplit(IlgpuBackend backend, StepCase size, GpuCheckReport report)
{
    private const int Classes = 10;

    public int Run()
    {
        var c = CultureInfo.InvariantCulture;
        using var net = ModelZoo.Create(size.Model, new ModuleInit(backend, 1), 3, size.Side, size.Side, Classes);
        using var sgd = new Sgd(net.Parameters(), 0.05f, 0.9f, 5e-4f, nesterov: true);
        var rng = new Random(1);
        var pixels = new float[size.Batch * 3 * size.Side * size.Side];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = rng.NextSingle();
        var labels = Enumerable.Range(0, size.Batch).Select(i => i % Classes).ToArray();
        using var x = Tensor.FromArray(backend, pixels, new Shape(size.Batch, 3, size.Side, size.Side));
        using var y = IntTensor.Labels(backend, labels, Classes);
        net.Train();

        void Step()
        {
            using var scope = new TensorScope();
            var loss = F.CrossEntropy(net.Forward(x), y);
            loss.Backward();
            sgd.Step();
            sgd.ZeroGrad();
        }

        Step(); // warm-up: pool, first launches
        backend.Synchronize();
        long transfersBefore = backend.HostTransfers, waitsBefore = backend.HostWaits;
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < size.Steps; i++) Step();
        double issue = clock.Elapsed.TotalSeconds / size.Steps;
        double waits = (backend.HostWaits - waitsBefore) / (double)size.Steps;
        backend.Synchronize();
        double wall = clock.Elapsed.TotalSeconds / size.Steps;
        double transfers = (backend.HostTransfers - transfersBefore) / (double)size.Steps;
        double device = backend.DeviceTime(() => { for (int i = 0; i < size.Steps; i++) Step(); }).TotalSeconds / size.Steps;

        // One profiled step: the profiler waits for every kernel, so its sum is launch + execution, kernel by kernel.
        var profiler = new Profiler();
        backend.Profiler = profiler;
        try { Step(); }
        finally { backend.Profiler = null; }
        var kernels = profiler.Rows().Where(r => r.Family is not null && r.Family != OpFamily.Transfer).ToList();
        long launches = kernels.Sum(r => r.Calls);
        double serial = kernels.Sum(r => r.Seconds);

        report.Line($"{size.Model}, batch {size.Batch} of 3×{size.Side}×{size.Side}, {size.Steps} steps timed after one warm-up step.");
        report.Table(["measure", "per step"],
        [
            ["wall (steps back to back, one synchronisation)", $"{wall * 1e3:F2} ms"],
            ["host issue (the same loop, before the synchronisation)", $"{issue * 1e3:F2} ms"],
            ["device (stream markers around the steps; includes idle gaps)", $"{device * 1e3:F2} ms"],
            ["kernel entry points (profiled step)", launches.ToString(c)],
            ["host issue per entry point", launches == 0 ? "–" : $"{issue / launches * 1e6:F1} µs"],
            ["profiled step, every kernel waited for (launch + execution, serial)", $"{serial * 1e3:F2} ms"],
            ["host↔device transfers", transfers.ToString("F1", c)],
            ["host waits inside the steps (stream drains before the final synchronisation)", waits.ToString("F1", c)],
        ]);
        report.Line(issue >= 0.8 * wall
            ? "Reading: the host's launches take most of the step (launch-bound): fewer, larger kernels or fewer synchronisations pay before faster kernels do."
            : "Reading: the device finishes after the host has issued the step (kernel-bound): the kernels' own speed decides the step time.");
        return 0;
    }
}
