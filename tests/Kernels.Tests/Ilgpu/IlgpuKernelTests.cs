using SparseCore.Kernels.Cpu;
using SparseCore.Kernels.Elementwise;
using SparseCore.Kernels.Gemm;
using SparseCore.Kernels.Optim;
using SparseCore.Kernels.Random;
using static SparseCore.Kernels.Tests.Ilgpu.Host;

namespace SparseCore.Kernels.Tests.Ilgpu;

/// <summary>
/// The ILGPU kernels on ILGPU's CPU simulator (bounds-checked views) at small odd shapes, each
/// against a double-precision reference written out here. Every launch and barrier costs
/// milliseconds on the simulator, so shapes stay small.
/// </summary>
public sealed class IlgpuKernelTests(IlgpuSimulatorFixture fixture) : IClassFixture<IlgpuSimulatorFixture>
{
    private readonly SparseCore.Kernels.Ilgpu.IlgpuBackend backend = fixture.Backend;

    // ---- backend basics -------------------------------------------------------------------

    [Fact]
    public void Simulator_backend_describes_itself_and_copies_with_offsets()
    {
        Assert.Equal("ilgpu-cpu", backend.Name);
        Assert.Contains("256", backend.DeviceDescription);
        var data = Rand(37, 1);
        using var a = Upload(backend, data);
        using var b = backend.Allocate<float>(40);
        backend.Fill(b, 7f);
        backend.Copy(a, 3, b, 5, 30);
        var got = backend.ToArray(b);
        for (int i = 0; i < 40; i++) Assert.Equal(i is >= 5 and < 35 ? data[i - 2] : 7f, got[i]);
        var part = new float[4];
        backend.Download(a, part, 10);
        Assert.Equal(data[10..14], part);
        using var ints = Upload(backend, new[] { 1, 2, 3 });
        Assert.Equal(new[] { 1, 2, 3 }, backend.ToArray(ints));
    }

    [Fact]
    public void Described_cuda_devices_agree_with_what_create_cuda_does()
    {
        // Without a GPU: no lines, and CreateCuda says why it cannot. With one: a line per device
        // naming its SMs and memory, and CreateCuda gives a working cuda backend.
        var devices = SparseCore.Kernels.Ilgpu.IlgpuBackend.DescribeCudaDevices();
        if (devices.Count == 0)
        {
            var e = Assert.Throws<InvalidOperationException>(() => SparseCore.Kernels.Ilgpu.IlgpuBackend.CreateCuda());
            Assert.Contains("no CUDA device", e.Message);
            return;
        }
        Assert.All(devices, d => Assert.Matches(@"^.+: \d+ SMs, \d+\.\d GiB, .+$", d));
        using var cuda = SparseCore.Kernels.Ilgpu.IlgpuBackend.CreateCuda();
        Assert.Equal("cuda", cuda.Name);
    }

    // ---- elementwise ----------------------------------------------------------------------

    [Theory]
    [InlineData(UnaryOp.Neg)]
    [InlineData(UnaryOp.Relu)]
    [InlineData(UnaryOp.Sigmoid)]
    [InlineData(UnaryOp.Tanh)]
    [InlineData(UnaryOp.Exp)]
    [InlineData(UnaryOp.Log)]
    [InlineData(UnaryOp.Gelu)]
    public void Unary_forward_and_backward_match_double_reference(UnaryOp op)
    {
        const int n = 1003;
        var x = Rand(n, 2, -3f, 3f);
        if (op == UnaryOp.Log) for (int i = 0; i < n; i++) x[i] = MathF.Abs(x[i]) + 0.05f;
        var dy = Rand(n, 3);
        using var xb = Upload(backend, x);
        using var yb = backend.Allocate<float>(n);
        using var dyb = Upload(backend, dy);
        using var dxb = backend.Allocate<float>(n);
        backend.Unary(op, xb, yb, n);
        backend.UnaryBackward(op, xb, yb, dyb, dxb, n);
        var y = new double[n]; var dx = new double[n];
        for (int i = 0; i < n; i++)
        {
            double v = x[i];
            (y[i], double d) = op switch
            {
                UnaryOp.Neg => (-v, -1.0),
                UnaryOp.Relu => (v > 0 ? v : 0, v > 0 ? 1.0 : 0.0),
                UnaryOp.Sigmoid => (1 / (1 + Math.Exp(-v)), Math.Exp(-v) / Math.Pow(1 + Math.Exp(-v), 2)),
                UnaryOp.Tanh => (Math.Tanh(v), 1 - Math.Tanh(v) * Math.Tanh(v)),
                UnaryOp.Exp => (Math.Exp(v), Math.Exp(v)),
                UnaryOp.Log => (Math.Log(v), 1 / v),
                _ => (Gelu(v), (Gelu(v + 1e-6) - Gelu(v - 1e-6)) / 2e-6),
            };
            dx[i] = dy[i] * d;
        }
        Close(backend.ToArray(yb), y, TranscendentalTolerance, $"{op} forward");
        Close(backend.ToArray(dxb), dx, TranscendentalTolerance, $"{op} backward");
    }

    private static double Gelu(double v) => 0.5 * v * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v)));

    public static TheoryData<BinaryOp, int, int, int> BinaryCases()
    {
        var data = new TheoryData<BinaryOp, int, int, int>();
        foreach (var op in Enum.GetValues<BinaryOp>())
        {
            data.Add(op, 1, 301, 1);   // same shape
            data.Add(op, 1, 1, 301);   // scalar
            data.Add(op, 7, 13, 1);    // per column of [rows, cols]
            data.Add(op, 3, 5, 11);    // per channel of NCHW
        }
        data.Add(BinaryOp.Mul, 3, 1100, 1); // wide bias: db by one thread per column
        return data;
    }

    [Theory]
    [MemberData(nameof(BinaryCases))]
    public void Binary_broadcast_forward_and_backward_match_double_reference(BinaryOp op, int outer, int mid, int inner)
    {
        var shape = new Broadcast(outer, mid, inner);
        int n = shape.Total;
        var a = Rand(n, 4);
        var b = Rand(mid, 5, 0.5f, 1.5f);
        var dy = Rand(n, 6);
        using var ab = Upload(backend, a); using var bb = Upload(backend, b); using var dyb = Upload(backend, dy);
        using var yb = backend.Allocate<float>(n); using var dab = backend.Allocate<float>(n); using var dbb = backend.Allocate<float>(mid);
        backend.Binary(op, ab, bb, yb, shape);
        backend.BinaryBackward(op, ab, bb, dyb, dab, dbb, shape);
        var y = new double[n]; var da = new double[n]; var db = new double[mid];
        for (int o = 0; o < outer; o++)
            for (int m = 0; m < mid; m++)
                for (int i = 0; i < inner; i++)
                {
                    int j = (o * mid + m) * inner + i;
                    double av = a[j], bv = b[m];
                    (y[j], double dA, double dB) = op switch
                    {
                        BinaryOp.Add => (av + bv, 1.0, 1.0),
                        BinaryOp.Sub => (av - bv, 1.0, -1.0),
                        BinaryOp.Mul => (av * bv, bv, av),
                        _ => (av / bv, 1 / bv, -av / (bv * bv)),
                    };
                    da[j] = dy[j] * dA;
                    db[m] += dy[j] * dB;
                }
        Close(backend.ToArray(yb), y, GemmTolerance, $"{op} forward");
        Close(backend.ToArray(dab), da, GemmTolerance, $"{op} da");
        Close(backend.ToArray(dbb), db, GemmTolerance, $"{op} db");
    }

    [Fact]
    public void Axpby_affine_and_fill_match_reference_and_beta_zero_ignores_stale_y()
    {
        const int n = 517;
        var x = Rand(n, 7); var y0 = Rand(n, 8);
        using var xb = Upload(backend, x); using var yb = Upload(backend, y0);
        backend.Axpby(2f, xb, -0.5f, yb, n);
        Close(backend.ToArray(yb), x.Select((v, i) => 2.0 * v - 0.5 * y0[i]).ToArray(), GemmTolerance, "axpby");
        backend.Fill(yb, float.NaN);
        backend.Axpby(3f, xb, 0f, yb, n);
        Close(backend.ToArray(yb), x.Select(v => 3.0 * v).ToArray(), GemmTolerance, "axpby beta 0");
        backend.Affine(xb, yb, -1.5f, 0.25f, n);
        Close(backend.ToArray(yb), x.Select(v => -1.5 * v + 0.25).ToArray(), GemmTolerance, "affine");
    }

    // ---- reductions -----------------------------------------------------------------------

    [Theory]
    [InlineData(3, 300, 1)]   // contiguous axis longer than a group: strided partials + tree
    [InlineData(4, 9, 1)]
    [InlineData(2, 7, 5)]     // strided axis: one thread per output
    public void ReduceSum_and_backward_match_double_reference(int outer, int axis, int inner)
    {
        var x = Rand(outer * axis * inner, 9);
        var dy = Rand(outer * inner, 10);
        using var xb = Upload(backend, x); using var yb = backend.Allocate<float>(outer * inner);
        using var dyb = Upload(backend, dy); using var dxb = backend.Allocate<float>(x.Length);
        backend.ReduceSum(xb, yb, outer, axis, inner, 0.5f);
        backend.ReduceSumBackward(dyb, dxb, outer, axis, inner, 0.5f);
        var y = new double[outer * inner]; var dx = new double[x.Length];
        for (int o = 0; o < outer; o++)
            for (int a = 0; a < axis; a++)
                for (int i = 0; i < inner; i++)
                {
                    y[o * inner + i] += 0.5 * x[(o * axis + a) * inner + i];
                    dx[(o * axis + a) * inner + i] = 0.5 * dy[o * inner + i];
                }
        Close(backend.ToArray(yb), y, GemmTolerance, "sum");
        Close(backend.ToArray(dxb), dx, GemmTolerance, "sum backward");
    }

    [Theory]
    [InlineData(4, 300, 1)]
    [InlineData(3, 7, 5)]
    public void ReduceMax_takes_first_maximum_lets_nan_win_and_routes_gradient(int outer, int axis, int inner)
    {
        var x = Rand(outer * axis * inner, 11);
        for (int i = 0; i < x.Length; i++) x[i] = MathF.Round(x[i] * 4) / 4; // many ties
        // Row/column 0: all equal (argmax 0); row/column 1: a NaN in the middle wins.
        for (int a = 0; a < axis; a++) x[a * inner] = 0.5f;
        x[(axis + axis / 2) * inner] = float.NaN;
        var dy = Rand(outer * inner, 12);
        using var xb = Upload(backend, x); using var yb = backend.Allocate<float>(outer * inner);
        using var ib = backend.Allocate<int>(outer * inner);
        using var dyb = Upload(backend, dy); using var dxb = backend.Allocate<float>(x.Length);
        backend.ReduceMax(xb, yb, ib, outer, axis, inner);
        backend.ReduceMaxBackward(dyb, ib, dxb, outer, axis, inner);
        var y = backend.ToArray(yb); var idx = backend.ToArray(ib); var dx = backend.ToArray(dxb);
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < inner; i++)
            {
                int k = o * inner + i;
                float best = x[o * axis * inner + i]; int bestA = 0;
                for (int a = 1; a < axis; a++)
                {
                    float v = x[(o * axis + a) * inner + i];
                    if (v > best || (float.IsNaN(v) && !float.IsNaN(best))) { best = v; bestA = a; }
                }
                Assert.Equal(bestA, idx[k]);
                Assert.Equal(best, y[k]);
                for (int a = 0; a < axis; a++) Assert.Equal(a == bestA ? dy[k] : 0f, dx[(o * axis + a) * inner + i]);
            }
        Assert.Equal(0, idx[0]);
        Assert.True(float.IsNaN(y[inner])); // output (o = 1, i = 0)
    }

    // ---- softmax and cross-entropy --------------------------------------------------------

    [Theory]
    [InlineData(5, 37, false)]
    [InlineData(5, 37, true)]
    [InlineData(3, 300, false)]
    [InlineData(3, 300, true)]
    public void Softmax_and_backward_match_double_reference(int rows, int cols, bool log)
    {
        var x = Rand(rows * cols, 13, -4f, 4f);
        var dy = Rand(rows * cols, 14);
        using var xb = Upload(backend, x); using var yb = backend.Allocate<float>(x.Length);
        using var dyb = Upload(backend, dy); using var dxb = backend.Allocate<float>(x.Length);
        backend.Softmax(xb, yb, rows, cols, log);
        backend.SoftmaxBackward(yb, dyb, dxb, rows, cols, log);
        var y = new double[x.Length]; var dx = new double[x.Length];
        for (int r = 0; r < rows; r++)
        {
            double max = double.NegativeInfinity, sum = 0, gsum = 0, dot = 0;
            for (int c = 0; c < cols; c++) max = Math.Max(max, x[r * cols + c]);
            for (int c = 0; c < cols; c++) sum += Math.Exp(x[r * cols + c] - max);
            for (int c = 0; c < cols; c++)
            {
                double p = Math.Exp(x[r * cols + c] - max) / sum;
                y[r * cols + c] = log ? Math.Log(p) : p;
                gsum += dy[r * cols + c]; dot += dy[r * cols + c] * p;
            }
            for (int c = 0; c < cols; c++)
            {
                double p = Math.Exp(x[r * cols + c] - max) / sum;
                dx[r * cols + c] = log ? dy[r * cols + c] - p * gsum : p * (dy[r * cols + c] - dot);
            }
        }
        Close(backend.ToArray(yb), y, TranscendentalTolerance, "softmax");
        Close(backend.ToArray(dxb), dx, TranscendentalTolerance, "softmax backward");
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(0.1f)]
    public void CrossEntropy_with_label_smoothing_matches_double_reference(float smoothing)
    {
        const int rows = 6, cols = 13;
        var x = Rand(rows * cols, 15, -3f, 3f);
        var labels = new[] { 0, 12, 5, 5, 7, 1 };
        var dloss = Rand(rows, 16);
        using var xb = Upload(backend, x); using var lb = Upload(backend, labels);
        using var lpb = backend.Allocate<float>(x.Length); using var lossb = backend.Allocate<float>(rows);
        using var dlb = Upload(backend, dloss); using var dxb = backend.Allocate<float>(x.Length);
        backend.CrossEntropy(xb, lb, lpb, lossb, rows, cols, smoothing);
        backend.CrossEntropyBackward(lpb, lb, dlb, dxb, rows, cols, smoothing);
        var lp = new double[x.Length]; var loss = new double[rows]; var dx = new double[x.Length];
        for (int r = 0; r < rows; r++)
        {
            double max = double.NegativeInfinity, sum = 0;
            for (int c = 0; c < cols; c++) max = Math.Max(max, x[r * cols + c]);
            for (int c = 0; c < cols; c++) sum += Math.Exp(x[r * cols + c] - max);
            for (int c = 0; c < cols; c++)
            {
                int j = r * cols + c;
                lp[j] = x[j] - max - Math.Log(sum);
                double target = (c == labels[r] ? 1 - smoothing : 0) + smoothing / (double)cols;
                loss[r] -= target * lp[j];
                dx[j] = dloss[r] * (Math.Exp(lp[j]) - target);
            }
        }
        Close(backend.ToArray(lpb), lp, TranscendentalTolerance, "log-probs");
        Close(backend.ToArray(lossb), loss, TranscendentalTolerance, "loss");
        Close(backend.ToArray(dxb), dx, TranscendentalTolerance, "dlogits");
    }

    // ---- GEMM -----------------------------------------------------------------------------

    public static TheoryData<bool, bool, int, int, int, bool> GemmCases()
    {
        var data = new TheoryData<bool, bool, int, int, int, bool>();
        foreach (bool ta in new[] { false, true })
            foreach (bool tb in new[] { false, true })
            {
                data.Add(ta, tb, 17, 23, 9, false);
                data.Add(ta, tb, 17, 23, 9, true);
                data.Add(ta, tb, 70, 33, 65, true);
            }
        data.Add(false, false, 130, 129, 17, true); // 2×2 block tiles, partial in both
        data.Add(true, true, 130, 129, 17, true);
        return data;
    }

    [Theory]
    [MemberData(nameof(GemmCases))]
    public void Gemm_batched_with_strides_matches_double_reference(bool transA, bool transB, int m, int n, int k, bool tiled)
    {
        int batch = m > 128 ? 1 : 2; // the 2×2-tile case runs once to keep the simulator quick
        long strideA = m * k + 3, strideB = batch > 1 && transB ? 0 : k * n, strideC = m * n + 1; // padded A/C, shared B when NT/TT
        var spec = new GemmSpec(transA, transB, m, n, k, Alpha: 1.5f, Beta: 0.5f, Batch: batch, StrideA: strideA, StrideB: strideB, StrideC: strideC);
        var a = Rand((int)spec.RequiredA, 17); var b = Rand((int)spec.RequiredB, 18); var c0 = Rand((int)spec.RequiredC, 19);
        double[] want = c0.Select(v => (double)v).ToArray();
        for (int bi = 0; bi < batch; bi++)
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++)
                {
                    double acc = 0;
                    for (int p = 0; p < k; p++)
                        acc += (double)a[bi * strideA + (transA ? p * m + i : i * k + p)] * b[bi * strideB + (transB ? j * k + p : p * n + j)];
                    long ci = bi * strideC + i * n + j;
                    want[ci] = 1.5 * acc + 0.5 * c0[ci];
                }
        var got = RunGemm(spec, a, b, c0, tiled);
        Close(got, want, GemmTolerance, $"gemm {spec} tiled={tiled}");
    }

    [Fact]
    public void Gemm_with_beta_zero_does_not_read_c()
    {
        var spec = new GemmSpec(false, true, 70, 33, 65);
        var a = Rand(70 * 65, 20); var b = Rand(33 * 65, 21);
        var c = Enumerable.Repeat(float.NaN, 70 * 33).ToArray();
        var want = new double[70 * 33];
        for (int i = 0; i < 70; i++)
            for (int j = 0; j < 33; j++)
                for (int p = 0; p < 65; p++) want[i * 33 + j] += (double)a[i * 65 + p] * b[j * 65 + p];
        Close(RunGemm(spec, a, b, c, tiled: true), want, GemmTolerance, "tiled beta 0");
        Close(RunGemm(spec, a, b, c, tiled: false), want, GemmTolerance, "small beta 0");
    }

    private float[] RunGemm(GemmSpec spec, float[] a, float[] b, float[] c, bool tiled)
    {
        long saved = backend.GemmSmallMaxWork;
        backend.GemmSmallMaxWork = tiled ? 0 : long.MaxValue;
        try
        {
            using var ab = Upload(backend, a); using var bb = Upload(backend, b); using var cb = Upload(backend, c);
            backend.Gemm(spec, ab, bb, cb);
            return backend.ToArray(cb);
        }
        finally
        {
            backend.GemmSmallMaxWork = saved;
        }
    }

    // ---- optimizers -----------------------------------------------------------------------

    [Theory]
    [InlineData(0.9f, true)]
    [InlineData(0.9f, false)]
    [InlineData(0f, false)]
    public void Sgd_two_steps_match_pytorch_formulas(float momentum, bool nesterov)
    {
        const int n = 301;
        const float lr = 0.1f, wd = 0.01f, dampening = 0.1f;
        var p = Rand(n, 22); var buf = new float[n];
        using var pb = Upload(backend, p); using var mb = Upload(backend, buf);
        var pd = p.Select(v => (double)v).ToArray(); var bd = new double[n];
        for (int step = 0; step < 2; step++)
        {
            var g = Rand(n, 23 + step);
            using var gb = Upload(backend, g);
            var hyper = new SgdHyper(lr, momentum, dampening, wd, nesterov, FirstStep: step == 0);
            backend.SgdStep(pb, gb, momentum != 0 ? mb : null, hyper, n);
            for (int i = 0; i < n; i++)
            {
                double d = g[i] + wd * pd[i];
                if (momentum != 0)
                {
                    bd[i] = step == 0 ? d : momentum * bd[i] + (1 - dampening) * d;
                    d = nesterov ? d + momentum * bd[i] : bd[i];
                }
                pd[i] -= lr * d;
            }
        }
        Close(backend.ToArray(pb), pd, GemmTolerance, "sgd param");
        if (momentum != 0) Close(backend.ToArray(mb), bd, GemmTolerance, "sgd momentum");
    }

    [Fact]
    public void AdamW_three_steps_match_pytorch_formulas()
    {
        const int n = 257;
        const float lr = 1e-2f, b1 = 0.9f, b2 = 0.999f, eps = 1e-8f, wd = 0.05f;
        var p = Rand(n, 30);
        using var pb = Upload(backend, p); using var mb = Upload(backend, new float[n]); using var vb = Upload(backend, new float[n]);
        var pd = p.Select(v => (double)v).ToArray(); var md = new double[n]; var vd = new double[n];
        for (int step = 1; step <= 3; step++)
        {
            var g = Rand(n, 30 + step);
            using var gb = Upload(backend, g);
            backend.AdamWStep(pb, gb, mb, vb, new AdamWHyper(lr, b1, b2, eps, wd, step), n);
            for (int i = 0; i < n; i++)
            {
                md[i] = b1 * md[i] + (1 - b1) * g[i];
                vd[i] = b2 * vd[i] + (1 - b2) * (double)g[i] * g[i];
                double mHat = md[i] / (1 - Math.Pow(b1, step)), vHat = vd[i] / (1 - Math.Pow(b2, step));
                pd[i] = pd[i] * (1 - lr * wd) - lr * mHat / (Math.Sqrt(vHat) + eps);
            }
        }
        Close(backend.ToArray(pb), pd, GemmTolerance, "adamw param");
        Close(backend.ToArray(mb), md, GemmTolerance, "adamw m");
        Close(backend.ToArray(vb), vd, 1e-4, "adamw v");
    }

    // ---- random ---------------------------------------------------------------------------

    [Fact]
    public void FillRandom_uniform_and_bernoulli_are_bit_identical_to_the_cpu_backend_and_normal_is_sane()
    {
        using var cpu = new CpuBackend();
        foreach (var (dist, a, b) in new[] { (RandomDistribution.Uniform, -2f, 3f), (RandomDistribution.Bernoulli, 0.3f, 0f) })
        {
            using var g = backend.Allocate<float>(1001); using var c = cpu.Allocate<float>(1001);
            backend.FillRandom(g, dist, a, b, seed: 42, stream: 7);
            cpu.FillRandom(c, dist, a, b, seed: 42, stream: 7);
            Assert.Equal(cpu.ToArray(c), backend.ToArray(g));
        }
        const int n = 4001;
        using var normal = backend.Allocate<float>(n);
        backend.FillRandom(normal, RandomDistribution.Normal, 1.5f, 2f, seed: 3, stream: 1);
        var v = backend.ToArray(normal);
        double mean = v.Average(x => (double)x);
        double std = Math.Sqrt(v.Average(x => (x - mean) * (x - mean)));
        Assert.InRange(mean, 1.5 - 0.15, 1.5 + 0.15);
        Assert.InRange(std, 2 * 0.93, 2 * 1.07);
        Assert.All(v, x => Assert.True(float.IsFinite(x)));
    }

    // ---- determinism ----------------------------------------------------------------------

    [Fact]
    public void BinaryBackward_ReduceSum_and_Gemm_are_bit_identical_run_to_run()
    {
        var shape = new Broadcast(3, 5, 11);
        var a = Rand(shape.Total, 40); var b = Rand(5, 41, 0.5f, 1.5f); var dy = Rand(shape.Total, 42);
        using var ab = Upload(backend, a); using var bb = Upload(backend, b); using var dyb = Upload(backend, dy);
        using var db = backend.Allocate<float>(5);
        using var x = Upload(backend, Rand(3 * 300, 43)); using var sum = backend.Allocate<float>(3);
        var spec = new GemmSpec(true, false, 70, 33, 65);
        var ga = Rand(70 * 65, 44); var gb = Rand(65 * 33, 45); var gc = new float[70 * 33];

        float[] Once(out float[] sums, out float[] gemm)
        {
            backend.BinaryBackward(BinaryOp.Mul, ab, bb, dyb, null, db, shape);
            backend.ReduceSum(x, sum, 3, 300, 1);
            sums = backend.ToArray(sum);
            gemm = RunGemm(spec, ga, gb, gc, tiled: true);
            return backend.ToArray(db);
        }

        var db1 = Once(out var s1, out var g1);
        var db2 = Once(out var s2, out var g2);
        Assert.Equal(db1, db2);
        Assert.Equal(s1, s2);
        Assert.Equal(g1, g2);
    }
}
