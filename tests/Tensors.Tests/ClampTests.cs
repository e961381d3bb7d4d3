using SparseCore.Tensors.Tests.Reference;

namespace SparseCore.Tensors.Tests;

/// <summary>
/// F.Clamp against a double reference (forward and backward through autograd, the reference's
/// backward by finite differences away from the kinks), its value and gradient exactly at the
/// bounds (torch.clamp's: the gradient passes), and bad bounds rejected.
/// </summary>
public class ClampTests
{
    public static IEnumerable<object[]> Backends() => TestBackends.Names.Select(n => new object[] { n });

    /// <summary>y = min(max(x, lo), hi); dy/dx = 1 on [lo, hi], 0 outside.</summary>
    private static RefOp Reference(double lo, double hi) => new("Clamp",
        xs => new RefTensor(xs[0].Data.Select(v => Math.Min(Math.Max(v, lo), hi)).ToArray(), xs[0].Shape),
        (xs, g) => [new RefTensor(xs[0].Data.Select((v, i) => v >= lo && v <= hi ? g.Data[i] : 0.0).ToArray(), xs[0].Shape)]);

    /// <summary>Values spread over [lo − 0.75, hi + 0.75], kept 1e-3 away from the kinks so finite differences see no corner.</summary>
    private static RefTensor Input(System.Random rng, double lo, double hi, params int[] shape)
    {
        var t = RefTensor.Random(rng, shape);
        for (int i = 0; i < t.Size; i++)
        {
            double v = lo - 0.75 + (t.Data[i] + 1) / 2 * (hi - lo + 1.5);
            if (Math.Abs(v - lo) < 1e-3 || Math.Abs(v - hi) < 1e-3) v += 3e-3;
            t.Data[i] = v;
        }
        return t;
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void Forward_and_backward_match_the_reference(string backendName)
    {
        int[] shape = TestBackends.IsSlow(backendName) ? [2, 3, 5, 7] : [17, 3, 31, 29];
        foreach (var (lo, hi) in new[] { (0.0, 1.0), (-0.375, 2.5) })
        {
            var c = new OpCase(Reference(lo, hi), [Input(new System.Random(5), lo, hi, shape)],
                t => F.Clamp(t[0], (float)lo, (float)hi), OpCases.GemmTolerance);
            OpCheck.ForwardAndBackward(backendName, $"clamp[{lo},{hi}]", c);
        }
    }

    [Fact]
    public void The_reference_backward_is_checked_by_finite_differences()
    {
        var op = Reference(0, 1);
        var inputs = new[] { Input(new System.Random(6), 0, 1, 5, 7, 3) };
        OpCheck.ReferenceMatchesFiniteDifferences("clamp", op, inputs);
        OpCheck.ScaledBackwardFails("clamp", op, inputs);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void Bounds_are_exact_and_pass_the_gradient(string backendName)
    {
        var backend = TestBackends.Get(backendName);
        float[] xs = [-3f, -0f, 0f, 1e-30f, 0.5f, 1f, 1.0000001f, 1.75f, 1e6f];
        float[] expected = [0f, 0f, 0f, 1e-30f, 0.5f, 1f, 1f, 1f, 1f];
        float[] expectedGrad = [0f, 1f, 1f, 1f, 1f, 1f, 0f, 0f, 0f];
        using var scope = new TensorScope();
        var x = Tensor.FromArray(backend, xs, new Shape(xs.Length));
        x.RequiresGrad = true;
        var y = F.Clamp(x, 0f, 1f);
        Assert.Equal(expected, y.ToArray());
        y.Backward(Tensor.Full(backend, y.Shape, 1f));
        Assert.Equal(expectedGrad, x.Grad!.ToArray());
    }

    [Fact]
    public void Bounds_out_of_order_are_rejected()
    {
        using var scope = new TensorScope();
        var x = Tensor.Zeros(TestBackends.Get("cpu"), new Shape(3));
        var e = Assert.Throws<ArgumentException>(() => F.Clamp(x, 1f, 0f));
        Assert.Contains("Clamp", e.Message);
    }
}
