using System.Globalization;
using SparseCore.Kernels;
using SparseCore.Kernels.Cpu;
using SparseCore.Kernels.Diagnostics;
using SparseCore.Kernels.Gemm;
using SparseCore.Kernels.Ilgpu;
using SparseCore.Kernels.Memory;
using SparseCore.Kernels.Random;

namespace SparseCore.Cli.GpuCheck;

/// <summary>
/// `sparsecore gpu-check`: everything the first GPU session should measure, in one run that
/// writes one file — device and driver, the self-test, per-kernel registers, spills and occupancy,
/// GEMM and conv throughput (with cuBLAS beside the GEMM when it loads), batch-norm and reduction
/// bandwidth, and one ResNet-20 training step split into device time and host launch overhead.
/// Each section catches its own failure and reports it, so one broken section does not cost the rest.
/// </summary>
internal sealed class GpuCheckRunner(IlgpuBackend backend, GpuCheckShapes shapes, GpuCheckReport report)
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    /// <summary>Runs every section; returns the number of self-test failures plus failed sections.</summary>
    public int Run(string? ptxFolder, IReadOnlySet<string> sections)
    {
        int failures = 0;
        failures += Section(sections, "device", "Device", Device);
        failures += Section(sections, "selftest", "Self-test against the CPU backend", SelfTest);
        failures += Section(sections, "resources", "Kernel resources", Resources);
        if (ptxFolder is not null) failures += Section(sections, "resources", "PTX", () => Ptx(ptxFolder));
        failures += Section(sections, "gemm", "GEMM", Gemm);
        failures += Section(sections, "conv", "Convolution", Conv);
        failures += Section(sections, "bandwidth", "Batch-norm and reductions", Bandwidth);
        failures += Section(sections, "step", $"Training step ({shapes.Step.Model})", () => new TrainingStepSplit(backend, shapes.Step, report).Run());
        return failures;
    }

    /// <summary>The section names --sections accepts, in the order they run.</summary>
    public static IReadOnlyList<string> SectionNames { get; } = ["device", "selftest", "resources", "gemm", "conv", "bandwidth", "step"];

    private int Section(IReadOnlySet<string> sections, string name, string title, Func<int> body)
    {
        if (!sections.Contains(name)) return 0;
        report.Heading(title);
        try
        {
            return body();
        }
        catch (Exception e)
        {
            // Report and go on: on a GPU lent for minutes, the other sections are still worth having.
            report.Line($"**failed**: {e.GetType().Name}: {e.Message}");
            return 1;
        }
    }

    private int Device()
    {
        var cuda = IlgpuBackend.DescribeCudaDevices();
        report.Line(cuda.Count == 0 ? "CUDA devices: no CUDA device found" : "CUDA devices: " + string.Join("; ", cuda));
        report.Table(["", "value"], backend.DescribeDriver().Select(kv => new[] { kv.Key, kv.Value }));
        return 0;
    }

    private int SelfTest()
    {
        using var reference = new CpuBackend();
        bool small = !backend.IsCuda;
        var results = new KernelSelfTest(backend, reference, small).Run();
        int failed = results.Count(r => !r.Passed);
        report.Line($"{results.Count - failed} passed, {failed} failed ({(small ? "small" : "full")} shapes; error = ‖device − cpu‖ / ‖cpu‖)");
        report.Table(["kernel", "shape", "error", "tolerance", "ms", "result"], results.Select(x => new[]
        {
            x.Kernel, x.Shape, x.Error.ToString("E2", C), x.Tolerance.ToString("E0", C), x.Milliseconds.ToString("F2", C), x.Passed ? "pass" : "**FAIL**",
        }));
        return failed;
    }

    private int Resources()
    {
        var rows = backend.DescribeKernels();
        if (rows.All(r => r.Registers is null))
            report.Line($"Registers, spills and occupancy: cannot be read on this accelerator ({rows.FirstOrDefault()?.Note ?? "no kernels"}).");
        else
            report.Line("From the driver (cuFuncGetAttribute) after it compiled the PTX; local bytes > 0 means spills or a stack frame. " +
                        "Active groups: ILGPU's occupancy estimate at the launch group size.");
        static string N(int? v) => v?.ToString(C) ?? "–";
        report.Table(["kernel", "group", "registers", "local bytes", "shared bytes", "max threads", "active groups / SM"],
            rows.Select(r => new[] { r.Kernel, r.GroupSize.ToString(C), N(r.Registers), N(r.LocalBytes), N(r.SharedBytes), N(r.MaxThreadsPerGroup), N(r.ActiveGroupsPerMultiprocessor) }));
        return 0;
    }

    private int Ptx(string folder)
    {
        var files = IlgpuPtx.WriteAll(folder);
        report.Line($"{files.Count} kernels' PTX (sm_80, the engine's settings) written to {folder}; scripts/gpu-check.sh runs `ptxas -v` on them where a CUDA toolkit exists.");
        return 0;
    }

    private int Gemm()
    {
        int reps = shapes.Repetitions;
        var rows = new List<string[]>();
        foreach (var g in shapes.Gemms)
        {
            var spec = new GemmSpec(g.TransA, g.TransB, g.M, g.N, g.K, 1f, 0f, 1, (long)g.M * g.K, (long)g.K * g.N, (long)g.M * g.N);
            using var a = Random((int)spec.RequiredA, 1);
            using var b = Random((int)spec.RequiredB, 2);
            using var c = backend.Allocate<float>((int)spec.RequiredC);
            using var cPeer = backend.Allocate<float>((int)spec.RequiredC);
            double flops = 2.0 * g.M * g.N * g.K;
            double ours = KernelClock.PerCall(backend, reps, () => backend.Gemm(spec, a, b, c));
            double? peer = backend.TimeCublasGemm(spec, a, b, cPeer, reps, out string why);
            // β = 0: both hold op(A)·op(B) now; their difference shows the operand mapping to cuBLAS is right.
            string agreement = peer is null ? "–" : Normwise(backend.ToArray(cPeer), backend.ToArray(c)).ToString("E1", C);
            rows.Add([
                g.Label, $"{g.M}×{g.N}×{g.K}", (ours * 1e3).ToString("F3", C), (flops / ours / 1e9).ToString("F0", C),
                peer is double p ? (p * 1e3).ToString("F3", C) : "–",
                peer is double q ? (flops / q / 1e9).ToString("F0", C) : "–",
                peer is double r ? (r / ours * 100).ToString("F0", C) + " %" : why,
                agreement,
            ]);
        }
        report.Line($"{reps} calls back to back, one synchronisation; C = A·B with α = 1, β = 0; GFLOP/s = 2·M·N·K / time.");
        report.Table(["GEMM", "M×N×K", "engine ms", "engine GFLOP/s", "cuBLAS ms", "cuBLAS GFLOP/s", "engine speed / cuBLAS", "‖cuBLAS − engine‖ / ‖engine‖"], rows);
        return 0;
    }

    private int Conv()
    {
        int reps = shapes.Repetitions;
        var rows = new List<string[]>();
        foreach (var cc in shapes.Convs)
        {
            var s = cc.Shape;
            using var x = Random((int)s.XLength, 3);
            using var w = Random((int)s.WeightLength, 4);
            using var y = Random((int)s.YLength, 5);
            using var dx = backend.Allocate<float>((int)s.XLength);
            using var dw = backend.Allocate<float>((int)s.WeightLength);
            using var db = backend.Allocate<float>(s.Cout);
            double forward = KernelClock.PerCall(backend, reps, () => backend.Conv2dForward(s, x, w, null, y));
            double data = KernelClock.PerCall(backend, reps, () => backend.Conv2dBackwardData(s, y, w, dx));
            double weights = KernelClock.PerCall(backend, reps, () => backend.Conv2dBackwardWeights(s, x, y, dw, db));
            string Cell(double t) => $"{t * 1e3:F3} ms, {s.Flops / t / 1e9:F0}";
            rows.Add([cc.Label, $"x[{s.N}, {s.Cin}, {s.H}, {s.W}] k{s.KH} s{s.StrideH}", Cell(forward), Cell(data), Cell(weights)]);
        }
        report.Line($"{reps} calls per pass, one synchronisation; GFLOP/s = 2·N·Cout·Cin·KH·KW·OutH·OutW / time (the weight-gradient pass includes the bias gradient).");
        report.Table(["layer", "shape", "forward (ms, GFLOP/s)", "data grad", "weight grad"], rows);
        return 0;
    }

    private int Bandwidth()
    {
        int reps = shapes.Repetitions;
        var rows = new List<string[]>();
        foreach (var (label, s) in shapes.BatchNorms)
        {
            int n = (int)s.Size;
            using var x = Random(n, 6);
            using var dy = Random(n, 7);
            using var y = backend.Allocate<float>(n);
            using var dx = backend.Allocate<float>(n);
            using var gamma = Random(s.C, 8);
            using var beta = Random(s.C, 9);
            using var rm = backend.Allocate<float>(s.C);
            using var rv = backend.Allocate<float>(s.C);
            using var mean = backend.Allocate<float>(s.C);
            using var rstd = backend.Allocate<float>(s.C);
            using var dg = backend.Allocate<float>(s.C);
            using var dbeta = backend.Allocate<float>(s.C);
            backend.Fill(rm, 0f);
            backend.Fill(rv, 1f);
            double fwd = KernelClock.PerCall(backend, reps, () => backend.BatchNorm2d(x, gamma, beta, rm, rv, y, mean, rstd, s, true, 0.1f, 1e-5f));
            double bwd = KernelClock.PerCall(backend, reps, () => backend.BatchNorm2dBackward(x, dy, gamma, mean, rstd, dx, dg, dbeta, s, true));
            // The least traffic each pass can do: forward reads x and writes y; backward reads x and dy and writes dx.
            rows.Add([$"batch-norm forward, {label}", (fwd * 1e3).ToString("F3", C), (8.0 * n / fwd / 1e9).ToString("F0", C)]);
            rows.Add([$"batch-norm backward, {label}", (bwd * 1e3).ToString("F3", C), (12.0 * n / bwd / 1e9).ToString("F0", C)]);
        }
        foreach (var (label, outer, axis, inner) in shapes.Reductions)
        {
            int n = outer * axis * inner, m = outer * inner;
            using var x = Random(n, 10);
            using var y = backend.Allocate<float>(m);
            double t = KernelClock.PerCall(backend, reps, () => backend.ReduceSum(x, y, outer, axis, inner));
            rows.Add([$"reduce sum, {label}", (t * 1e3).ToString("F3", C), (4.0 * (n + m) / t / 1e9).ToString("F0", C)]);
        }
        report.Line($"{reps} calls, one synchronisation; GB/s counts the least traffic (each input read once, each output written once), so it is a lower bound on what moved.");
        report.Table(["kernel", "ms", "GB/s"], rows);
        return 0;
    }

    private static double Normwise(float[] got, float[] want)
    {
        double diff = 0, norm = 0;
        for (int i = 0; i < want.Length; i++)
        {
            diff += ((double)got[i] - want[i]) * ((double)got[i] - want[i]);
            norm += (double)want[i] * want[i];
        }
        return norm == 0 ? Math.Sqrt(diff) : Math.Sqrt(diff / norm);
    }

    private DeviceBuffer<float> Random(int n, ulong seed)
    {
        var buffer = backend.Allocate<float>(n);
        backend.FillRandom(buffer, RandomDistribution.Uniform, -1f, 1f, seed, 0);
        return buffer;
    }
}
