using SparseCore.Kernels.Conv;
using SparseCore.Kernels.Elementwise;
using SparseCore.Kernels.Gemm;
using SparseCore.Kernels.Memory;
using SparseCore.Kernels.Optim;
using SparseCore.Kernels.Random;

namespace SparseCore.Kernels.Tests;

/// <summary>
/// Argument validation at the public Backend entry points: every operand of every op is checked
/// at exactly its required length (accepted) and one element short (rejected, naming op and
/// operand); bad extents, foreign buffers and out-of-range transfers are rejected before any kernel.
/// </summary>
public class ValidationTests
{
    /// <summary>An op with named operands of required lengths; Run gets the buffers by operand name.</summary>
    private sealed record OpCase(string Op, (string Name, int Length, bool IsInt)[] Operands, Action<Backend, Func<string, object>> Run)
    {
        public override string ToString() => Op;
    }

    private static (string, int, bool) F(string name, int length) => (name, length, false);
    private static (string, int, bool) I(string name, int length) => (name, length, true);

    private static DeviceBuffer<float> Fl(Func<string, object> get, string name) => (DeviceBuffer<float>)get(name);
    private static DeviceBuffer<int> In(Func<string, object> get, string name) => (DeviceBuffer<int>)get(name);

    private static IEnumerable<OpCase> Cases()
    {
        const int n = 37;
        yield return new("Unary", [F("x", n), F("y", n)],
            (b, g) => b.Unary(UnaryOp.Tanh, Fl(g, "x"), Fl(g, "y"), n));
        yield return new("UnaryBackward", [F("x", n), F("y", n), F("dy", n), F("dx", n)],
            (b, g) => b.UnaryBackward(UnaryOp.Sigmoid, Fl(g, "x"), Fl(g, "y"), Fl(g, "dy"), Fl(g, "dx"), n));
        var shape = Broadcast.PerChannel(3, 5, 7);
        yield return new("Binary", [F("a", 105), F("b", 5), F("y", 105)],
            (b, g) => b.Binary(BinaryOp.Mul, Fl(g, "a"), Fl(g, "b"), Fl(g, "y"), shape));
        yield return new("BinaryBackward", [F("a", 105), F("b", 5), F("dy", 105), F("da", 105), F("db", 5)],
            (b, g) => b.BinaryBackward(BinaryOp.Div, Fl(g, "a"), Fl(g, "b"), Fl(g, "dy"), Fl(g, "da"), Fl(g, "db"), shape));
        yield return new("Axpby", [F("x", n), F("y", n)],
            (b, g) => b.Axpby(2f, Fl(g, "x"), 0.5f, Fl(g, "y"), n));
        yield return new("Affine", [F("x", n), F("y", n)],
            (b, g) => b.Affine(Fl(g, "x"), Fl(g, "y"), 2f, 1f, n));
        yield return new("ReduceSum", [F("x", 2 * 3 * 5), F("y", 2 * 5)],
            (b, g) => b.ReduceSum(Fl(g, "x"), Fl(g, "y"), 2, 3, 5));
        yield return new("ReduceSumBackward", [F("dy", 2 * 5), F("dx", 2 * 3 * 5)],
            (b, g) => b.ReduceSumBackward(Fl(g, "dy"), Fl(g, "dx"), 2, 3, 5));
        yield return new("ReduceMax", [F("x", 2 * 3 * 5), F("y", 2 * 5), I("argmax", 2 * 5)],
            (b, g) => b.ReduceMax(Fl(g, "x"), Fl(g, "y"), In(g, "argmax"), 2, 3, 5));
        yield return new("ReduceMaxBackward", [F("dy", 2 * 5), I("argmax", 2 * 5), F("dx", 2 * 3 * 5)],
            (b, g) => b.ReduceMaxBackward(Fl(g, "dy"), In(g, "argmax"), Fl(g, "dx"), 2, 3, 5));
        var gemm = new GemmSpec(false, true, M: 3, N: 4, K: 5);
        yield return new("Gemm", [F("A", 15), F("B", 20), F("C", 12)],
            (b, g) => b.Gemm(gemm, Fl(g, "A"), Fl(g, "B"), Fl(g, "C")));
        // Batched with a shared (stride 0) B: A and C need (Batch−1)·stride + M·K.
        var batched = new GemmSpec(true, false, M: 3, N: 4, K: 5, Batch: 3, StrideA: 16, StrideB: 0, StrideC: 13);
        yield return new("Gemm", [F("A", 2 * 16 + 15), F("B", 20), F("C", 2 * 13 + 12)],
            (b, g) => b.Gemm(batched, Fl(g, "A"), Fl(g, "B"), Fl(g, "C")));
        yield return new("Softmax", [F("x", 4 * 9), F("y", 4 * 9)],
            (b, g) => b.Softmax(Fl(g, "x"), Fl(g, "y"), 4, 9, log: false));
        yield return new("SoftmaxBackward", [F("y", 4 * 9), F("dy", 4 * 9), F("dx", 4 * 9)],
            (b, g) => b.SoftmaxBackward(Fl(g, "y"), Fl(g, "dy"), Fl(g, "dx"), 4, 9, log: true));
        yield return new("CrossEntropy", [F("logits", 4 * 9), I("labels", 4), F("logProbs", 4 * 9), F("loss", 4)],
            (b, g) => b.CrossEntropy(Fl(g, "logits"), In(g, "labels"), Fl(g, "logProbs"), Fl(g, "loss"), 4, 9, 0.1f));
        yield return new("CrossEntropyBackward", [F("logProbs", 4 * 9), I("labels", 4), F("dloss", 4), F("dlogits", 4 * 9)],
            (b, g) => b.CrossEntropyBackward(Fl(g, "logProbs"), In(g, "labels"), Fl(g, "dloss"), Fl(g, "dlogits"), 4, 9));
        yield return new("SgdStep", [F("param", n), F("grad", n), F("momentum", n)],
            (b, g) => b.SgdStep(Fl(g, "param"), Fl(g, "grad"), Fl(g, "momentum"), new SgdHyper(0.1f, 0.9f, FirstStep: true), n));
        yield return new("AdamStep", [F("param", n), F("grad", n), F("m", n), F("v", n)],
            (b, g) => b.AdamStep(Fl(g, "param"), Fl(g, "grad"), Fl(g, "m"), Fl(g, "v"), new AdamHyper(1e-3f), n));
        // The inference convs with their batch-norm weight scales (one per output channel of each conv).
        var conv1 = new Conv2dShape(2, 3, 5, 5, 4, 3, 3, 1, 1, 1, 1);
        var conv2 = new Conv2dShape(2, 4, 5, 5, 2, 3, 3, 1, 1, 1, 1);
        yield return new("Conv2dForward", [F("x", 150), F("w", 108), F("bias", 4), F("y", 200), F("weightScale", 4)],
            (b, g) => b.Conv2dForward(conv1, Fl(g, "x"), Fl(g, "w"), Fl(g, "bias"), Fl(g, "y"), default, Fl(g, "weightScale")));
        yield return new("Conv2dPairForward", [F("x", 150), F("w1", 108), F("b1", 4), F("w2", 72), F("b2", 2), F("y", 100), F("scale1", 4), F("scale2", 2)],
            (b, g) => b.Conv2dPairForward(conv1, conv2, Fl(g, "x"), Fl(g, "w1"), Fl(g, "b1"), Fl(g, "w2"), Fl(g, "b2"), Fl(g, "y"), default,
                                          Fl(g, "scale1"), Fl(g, "scale2")));
    }

    /// <summary>Runs the case with every operand at its required length except <paramref name="shortOperand"/>.</summary>
    private static void RunWith(Backend backend, OpCase c, string? shortOperand)
    {
        var buffers = new Dictionary<string, object>();
        try
        {
            foreach (var (name, length, isInt) in c.Operands)
            {
                int len = name == shortOperand ? length - 1 : length;
                if (isInt)
                {
                    var buf = backend.Allocate<int>(len);
                    backend.Upload<int>(new int[len], buf); // label 0 is valid everywhere
                    buffers[name] = buf;
                }
                else
                {
                    var buf = backend.Allocate<float>(len);
                    backend.Fill(buf, 0.5f);
                    buffers[name] = buf;
                }
            }
            c.Run(backend, name => buffers[name]);
        }
        finally
        {
            foreach (var b in buffers.Values) ((IDisposable)b).Dispose();
        }
    }

    [Theory]
    [MemberData(nameof(KernelTestBackends.Names), MemberType = typeof(KernelTestBackends))]
    public void Every_operand_is_accepted_at_its_required_length_and_rejected_one_short(string backendName)
    {
        using var backend = KernelTestBackends.Create(backendName);
        var failures = new List<string>();
        foreach (var c in Cases())
        {
            try { RunWith(backend, c, null); }
            catch (Exception e) { failures.Add($"{c.Op}: exact lengths rejected: {e.Message}"); }

            foreach (var (operand, _, _) in c.Operands)
            {
                try
                {
                    RunWith(backend, c, operand);
                    failures.Add($"{c.Op}: {operand} one element short was accepted");
                }
                catch (ArgumentException e)
                {
                    if (!e.Message.Contains(c.Op) || !e.Message.Contains($"{operand} has"))
                        failures.Add($"{c.Op}/{operand}: message does not name op and operand: {e.Message}");
                }
                catch (Exception e)
                {
                    failures.Add($"{c.Op}/{operand}: {e.GetType().Name} instead of ArgumentException: {e.Message}");
                }
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.Equal(0, backend.Pool.LiveBuffers);
    }

    public static TheoryData<string, string> BadExtentCases()
    {
        var data = new TheoryData<string, string>();
        foreach (var b in KernelTestBackends.All)
            foreach (var c in BadExtents().Keys) data.Add(b.Name, c);
        return data;
    }

    /// <summary>Calls whose extents (or scalar arguments) are invalid, with a buffer of 64 floats and 64 ints.</summary>
    private static Dictionary<string, (string Op, Action<Backend, DeviceBuffer<float>, DeviceBuffer<int>> Act)> BadExtents() => new()
    {
        ["Allocate negative"] = ("", (b, f, i) => b.Allocate<float>(-1).Dispose()),
        ["Unary negative n"] = ("Unary", (b, f, i) => b.Unary(UnaryOp.Relu, f, f, -1)),
        ["UnaryBackward negative n"] = ("UnaryBackward", (b, f, i) => b.UnaryBackward(UnaryOp.Relu, f, f, f, f, -3)),
        ["Axpby negative n"] = ("Axpby", (b, f, i) => b.Axpby(1f, f, 1f, f, -1)),
        ["Affine negative n"] = ("Affine", (b, f, i) => b.Affine(f, f, 1f, 0f, -1)),
        ["SgdStep negative n"] = ("SgdStep", (b, f, i) => b.SgdStep(f, f, null, new SgdHyper(0.1f), -1)),
        ["AdamStep negative n"] = ("AdamStep", (b, f, i) => b.AdamStep(f, f, f, f, new AdamHyper(0.1f), -1)),
        ["Binary zero mid"] = ("Binary", (b, f, i) => b.Binary(BinaryOp.Add, f, f, f, new Broadcast(2, 0, 3))),
        ["Binary negative outer"] = ("Binary", (b, f, i) => b.Binary(BinaryOp.Add, f, f, f, new Broadcast(-1, 2, 3))),
        ["BinaryBackward zero inner"] = ("BinaryBackward", (b, f, i) => b.BinaryBackward(BinaryOp.Mul, f, f, f, f, f, new Broadcast(2, 2, 0))),
        ["ReduceSum zero axis"] = ("ReduceSum", (b, f, i) => b.ReduceSum(f, f, 1, 0, 1)),
        ["ReduceSum negative inner"] = ("ReduceSum", (b, f, i) => b.ReduceSum(f, f, 1, 4, -2)),
        ["ReduceSumBackward zero outer"] = ("ReduceSumBackward", (b, f, i) => b.ReduceSumBackward(f, f, 0, 4, 1)),
        ["ReduceMax zero axis"] = ("ReduceMax", (b, f, i) => b.ReduceMax(f, f, i, 2, 0, 2)),
        ["ReduceMaxBackward negative axis"] = ("ReduceMaxBackward", (b, f, i) => b.ReduceMaxBackward(f, i, f, 2, -1, 2)),
        ["Gemm zero M"] = ("Gemm", (b, f, i) => b.Gemm(new GemmSpec(false, false, 0, 2, 2), f, f, f)),
        ["Gemm negative K"] = ("Gemm", (b, f, i) => b.Gemm(new GemmSpec(false, false, 2, 2, -2), f, f, f)),
        ["Gemm zero batch"] = ("Gemm", (b, f, i) => b.Gemm(new GemmSpec(false, false, 2, 2, 2, Batch: 0), f, f, f)),
        ["Gemm negative stride"] = ("Gemm", (b, f, i) => b.Gemm(new GemmSpec(false, false, 2, 2, 2, Batch: 2, StrideA: -4, StrideC: 4), f, f, f)),
        ["Gemm overlapping outputs"] = ("Gemm", (b, f, i) => b.Gemm(new GemmSpec(false, false, 2, 2, 2, Batch: 2, StrideC: 3), f, f, f)),
        ["Softmax zero cols"] = ("Softmax", (b, f, i) => b.Softmax(f, f, 4, 0, false)),
        ["SoftmaxBackward negative rows"] = ("SoftmaxBackward", (b, f, i) => b.SoftmaxBackward(f, f, f, -1, 4, false)),
        ["CrossEntropy zero rows"] = ("CrossEntropy", (b, f, i) => b.CrossEntropy(f, i, f, f, 0, 4)),
        ["CrossEntropy smoothing 1"] = ("CrossEntropy", (b, f, i) => b.CrossEntropy(f, i, f, f, 2, 4, 1f)),
        ["CrossEntropy smoothing NaN"] = ("CrossEntropy", (b, f, i) => b.CrossEntropy(f, i, f, f, 2, 4, float.NaN)),
        ["CrossEntropyBackward negative smoothing"] = ("CrossEntropyBackward", (b, f, i) => b.CrossEntropyBackward(f, i, f, f, 2, 4, -0.1f)),
        ["FillRandom negative std"] = ("FillRandom", (b, f, i) => b.FillRandom(f, RandomDistribution.Normal, 0f, -1f, 1, 0)),
        ["FillRandom Bernoulli p > 1"] = ("FillRandom", (b, f, i) => b.FillRandom(f, RandomDistribution.Bernoulli, 1.5f, 0f, 1, 0)),
        ["FillRandom Bernoulli p NaN"] = ("FillRandom", (b, f, i) => b.FillRandom(f, RandomDistribution.Bernoulli, float.NaN, 0f, 1, 0)),
        ["AdamStep step 0"] = ("AdamStep", (b, f, i) => b.AdamStep(f, f, f, f, new AdamHyper(0.1f, Step: 0), 4)),
        ["Copy negative count"] = ("Copy", (b, f, i) => b.Copy(f, 0, f, 8, -1)),
        ["Copy negative offset"] = ("Copy", (b, f, i) => b.Copy(f, -1, f, 8, 4)),
    };

    [Theory]
    [MemberData(nameof(BadExtentCases))]
    public void Invalid_extents_are_rejected_before_any_kernel_runs(string backendName, string caseName)
    {
        using var backend = KernelTestBackends.Create(backendName);
        using var f = backend.Allocate<float>(64);
        using var i = backend.Allocate<int>(64);
        var data = K.Random(64, 1);
        backend.Upload<float>(data, f);
        backend.Upload<int>(new int[64], i);
        var (op, act) = BadExtents()[caseName];
        var ex = Assert.ThrowsAny<ArgumentException>(() => act(backend, f, i));
        Assert.Contains(op, ex.Message);
        Assert.Equal(data, backend.ToArray(f)); // nothing was written
    }

    [Theory]
    [MemberData(nameof(KernelTestBackends.Names), MemberType = typeof(KernelTestBackends))]
    public void Zero_length_elementwise_calls_are_no_ops(string backendName)
    {
        using var backend = KernelTestBackends.Create(backendName);
        using var f = K.Upload(backend, [1f, 2f, 3f]);
        backend.Unary(UnaryOp.Neg, f, f, 0);
        backend.Axpby(2f, f, 0f, f, 0);
        backend.Affine(f, f, 2f, 1f, 0);
        backend.SgdStep(f, f, null, new SgdHyper(1f), 0);
        backend.AdamStep(f, f, f, f, new AdamHyper(1f), 0);
        backend.Copy(f, 3, f, 0, 0);
        using var empty = backend.Allocate<float>(0);
        backend.Fill(empty, 1f);
        backend.FillRandom(empty, RandomDistribution.Normal, 0f, 1f, 1, 1);
        Assert.Empty(backend.ToArray(empty));
        Assert.Equal([1f, 2f, 3f], backend.ToArray(f));
    }

    [Theory]
    [MemberData(nameof(KernelTestBackends.Names), MemberType = typeof(KernelTestBackends))]
    public void A_buffer_from_another_backend_instance_is_rejected_naming_both(string backendName)
    {
        using var backend = KernelTestBackends.Create(backendName);
        using var other = KernelTestBackends.Create(backendName);
        using var mine = backend.Allocate<float>(12);
        using var foreign = other.Allocate<float>(12);
        using var labels = backend.Allocate<int>(3);

        var calls = new (string Op, Action Act)[]
        {
            ("Upload", () => backend.Upload<float>(new float[12], foreign)),
            ("Download", () => backend.Download(foreign, new float[12])),
            ("Copy", () => backend.Copy(mine, 0, foreign, 0, 12)),
            ("Fill", () => backend.Fill(foreign, 0f)),
            ("FillRandom", () => backend.FillRandom(foreign, RandomDistribution.Uniform, 0f, 1f, 1, 1)),
            ("Unary", () => backend.Unary(UnaryOp.Relu, mine, foreign, 12)),
            ("Gemm", () => backend.Gemm(new GemmSpec(false, false, 3, 4, 3), mine, foreign, mine)),
            ("CrossEntropy", () => backend.CrossEntropy(mine, labels, foreign, mine, 3, 4)),
            ("AdamStep", () => backend.AdamStep(mine, mine, mine, foreign, new AdamHyper(1e-3f), 12)),
        };
        foreach (var (op, act) in calls)
        {
            var ex = Assert.Throws<ArgumentException>(act);
            Assert.Contains(op, ex.Message);
            Assert.Contains("another backend instance", ex.Message);
            Assert.Contains($"'{other.Name}'", ex.Message);
            Assert.Contains($"'{backend.Name}'", ex.Message);
        }
    }

    [Theory]
    [MemberData(nameof(KernelTestBackends.Names), MemberType = typeof(KernelTestBackends))]
    public void Transfers_out_of_range_name_the_transfer(string backendName)
    {
        using var backend = KernelTestBackends.Create(backendName);
        using var buf = backend.Allocate<float>(10); // capacity 16: the check must use Length, not capacity
        var up = Assert.Throws<ArgumentException>(() => backend.Upload<float>(new float[11], buf));
        Assert.Contains("Upload", up.Message);
        Assert.Contains("10 elements", up.Message);
        Assert.Contains("Upload", Assert.Throws<ArgumentException>(() => backend.Upload<float>(new float[4], buf, 7)).Message);
        Assert.Contains("Upload", Assert.Throws<ArgumentException>(() => backend.Upload<float>(new float[1], buf, -1)).Message);
        Assert.Contains("Download", Assert.Throws<ArgumentException>(() => backend.Download(buf, new float[5], 6)).Message);
        Assert.Contains("Copy", Assert.Throws<ArgumentException>(() => backend.Copy(buf, 5, buf, 0, 6)).Message);

        // The exact fit at an offset is fine.
        backend.Upload<float>([1f, 2f, 3f], buf, 7);
        var tail = new float[3];
        backend.Download(buf, tail, 7);
        Assert.Equal([1f, 2f, 3f], tail);
    }
}
