using SparseCore.Tensors.Tests.Reference;
using static SparseCore.Tensors.Tests.Reference.LstmRefOps;

namespace SparseCore.Tensors.Tests;

/// <summary>
/// The fused LSTM cell and the sequence (BPTT through the tape) against double references: every
/// input and parameter gradient, from losses on h' and c' together, on both backends.
/// </summary>
public class LstmOpTests
{
    private static readonly string[] Names = ["cell", "sequence"];

    /// <summary>
    /// Tighter than the 1e-3 allowed for transcendental ops: float sigmoid/tanh are good to ~1e-7
    /// here, and 1e-3 would let a 1% error in one gate's gradient through.
    /// </summary>
    private const double Tolerance = 1e-5;

    public static IEnumerable<object[]> BackendCases() => from b in TestBackends.Names from n in Names select new object[] { b, n };

    public static IEnumerable<object[]> Cases() => Names.Select(n => new object[] { n });

    /// <summary>
    /// "cell": one step, output (h', c') stacked [2, B, H]; "sequence": four steps with a different
    /// input each, output h_1 … h_4 and c_4 stacked [5, B, H].
    /// </summary>
    public static OpCase Create(string name, bool small)
    {
        var rng = new System.Random(name.Length);
        var d = small ? new Dims(2, 5, 3) : new Dims(7, 37, 29);
        int steps = name == "cell" ? 1 : 4;
        return new OpCase(Sequence(d, steps), Inputs(rng, d, steps), t => RunSequence(t, d, steps), Tolerance);
    }

    /// <summary>The engine's sequence, its hidden states and final cell stacked like the reference.</summary>
    private static Tensor RunSequence(Tensor[] t, Dims d, int steps)
    {
        var (wIh, wHh, bIh, bHh) = (t[steps + 2], t[steps + 3], t[steps + 4], t[steps + 5]);
        Tensor Row(Tensor x) => F.Reshape(x, 1, d.B, d.H);
        if (steps == 1)
        {
            var (h, c) = F.LstmCell(t[0], t[1], t[2], wIh, wHh, bIh, bHh);
            return F.Concat([Row(h), Row(c)], 0);
        }
        var (hidden, cell) = F.Lstm(t[..steps], t[steps], t[steps + 1], wIh, wHh, bIh, bHh);
        return F.Concat([.. hidden.Select(Row), Row(cell)], 0);
    }

    [Theory]
    [MemberData(nameof(BackendCases))]
    public void Forward_and_backward_match_the_double_reference(string backend, string name) =>
        OpCheck.ForwardAndBackward(backend, name, Create(name, TestBackends.IsSlow(backend)));

    [Theory]
    [MemberData(nameof(Cases))]
    public void Reference_backward_matches_finite_differences(string name) => OpCheck.ReferenceMatchesFiniteDifferences(name, Create(name, small: true));

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_backward_off_by_one_percent_fails_the_check(string name) => OpCheck.ScaledBackwardFails(name, Create(name, small: true));

    [Fact]
    public void Only_the_hidden_state_of_the_last_step_still_trains_every_parameter()
    {
        // The PASS hypernetwork's usual loss: c_T unused, so the last cell's c' gradient is absent.
        var backend = TestBackends.Get("cpu");
        var d = new Dims(3, 4, 5);
        var inputs = Inputs(new System.Random(3), d, 3);
        using var scope = new TensorScope();
        var t = inputs.Select(x => Tensor.FromArray(backend, x.ToFloat(), new Shape(x.Shape))).ToArray();
        foreach (var p in t[3..]) p.RequiresGrad = true;
        var (hidden, _) = F.Lstm(t[..3], t[3], t[4], t[5], t[6], t[7], t[8]);
        F.SumAll(hidden[^1]).Backward();
        foreach (var p in t[3..]) Assert.True(p.Grad!.ToArray().Any(v => v != 0), $"no gradient reached {p.Shape}");
        Assert.Equal(0, Autograd.TapeLength);
    }

    [Fact]
    public void Mismatched_shapes_are_rejected_naming_the_op_before_any_kernel_runs()
    {
        var backend = TestBackends.Get("cpu");
        using var scope = new TensorScope();
        Tensor Z(params int[] s) => Tensor.Zeros(backend, new Shape(s));
        var (x, h, c) = (Z(2, 3), Z(2, 4), Z(2, 4));
        var (wIh, wHh, b) = (Z(16, 3), Z(16, 4), Z(16));
        var cases = new Func<object>[]
        {
            () => F.LstmCell(x, Z(2, 5), c, wIh, wHh, b, b),          // hidden state of another size
            () => F.LstmCell(x, h, Z(2, 5), wIh, wHh, b, b),          // cell state of another size
            () => F.LstmCell(x, h, c, Z(20, 3), wHh, b, b),           // W_ih for hidden 5
            () => F.LstmCell(x, h, c, wIh, Z(16, 5), b, b),           // W_hh for hidden 5
            () => F.LstmCell(x, h, c, Z(16, 4), wHh, b, b),           // W_ih for 4 input features
            () => F.LstmCell(x, h, c, wIh, wHh, Z(12), b),            // bias for hidden 3
            () => F.LstmCell(Z(3, 3), h, c, wIh, wHh, b, b),          // batch differs
            () => F.Lstm([], h, c, wIh, wHh, b, b),
        };
        foreach (var run in cases)
        {
            var e = Assert.Throws<TensorShapeException>(run);
            Assert.StartsWith("Lstm", e.Op);
        }
    }

    [Fact]
    public void The_backend_rejects_short_buffers_naming_the_operand()
    {
        var backend = TestBackends.Get("cpu");
        using var gates = backend.Allocate<float>(4 * 2 * 3);
        using var bias = backend.Allocate<float>(4 * 3);
        using var c = backend.Allocate<float>(2 * 3);
        using var shortState = backend.Allocate<float>(2 * 3);
        var e = Assert.Throws<ArgumentException>(() => backend.LstmCellForward(2, 3, gates, bias, bias, c, gates, shortState));
        Assert.Contains("LstmCellForward", e.Message);
        Assert.Contains("state", e.Message);
        e = Assert.Throws<ArgumentException>(() => backend.LstmCellBackward(2, 0, gates, c, shortState, shortState, gates, c));
        Assert.Contains("LstmCellBackward", e.Message);
    }
}
