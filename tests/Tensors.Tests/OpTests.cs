using SparseCore.Tensors.Tests.Reference;

namespace SparseCore.Tensors.Tests;

/// <summary>
/// Every op, forward and backward through autograd, against its double reference; and every
/// reference's backward against finite differences, so the comparison target is itself checked.
/// </summary>
public class OpTests
{
    public static IEnumerable<object[]> BackendCases() =>
        from b in TestBackends.Names from n in OpCases.Names() select new object[] { b, n };

    public static IEnumerable<object[]> Cases() => OpCases.Names().Select(n => new object[] { n });

    [Theory]
    [MemberData(nameof(BackendCases))]
    public void Forward_and_backward_match_the_double_reference(string backendName, string caseName)
    {
        var backend = TestBackends.Get(backendName);
        var c = OpCases.Create(caseName, TestBackends.IsSlow(backendName));
        var notDiff = c.NotDifferentiated ?? [];
        var expected = c.Ref.Forward(c.Inputs);
        var seed = RefTensor.Random(new System.Random(99), expected.Shape);
        var expectedGrads = c.Ref.Backward(c.Inputs, seed);

        using var scope = new TensorScope();
        var inputs = c.Inputs.Select((x, i) =>
        {
            var t = Tensor.FromArray(backend, x.ToFloat(), new Shape(x.Shape));
            t.RequiresGrad = !notDiff.Contains(i);
            return t;
        }).ToArray();
        var y = c.Run(inputs);

        Assert.Equal(new Shape(expected.Shape), y.Shape);
        double forwardError = Norms.RelativeError(y.ToArray(), expected.Data);
        Assert.True(forwardError <= c.Tolerance, $"{caseName} forward on {backendName}: error {forwardError:E2} > {c.Tolerance:E0}");

        y.Backward(Tensor.FromArray(backend, seed.ToFloat(), y.Shape));
        for (int i = 0; i < inputs.Length; i++)
        {
            if (notDiff.Contains(i)) continue;
            Assert.NotNull(inputs[i].Grad);
            double gradError = Norms.RelativeError(inputs[i].Grad!.ToArray(), expectedGrads[i].Data);
            Assert.True(gradError <= c.Tolerance, $"{caseName} gradient of input {i} on {backendName}: error {gradError:E2} > {c.Tolerance:E0}");
        }
        Assert.Equal(0, Autograd.TapeLength);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Reference_backward_matches_finite_differences(string caseName)
    {
        var c = OpCases.Create(caseName, small: true);
        double error = GradCheck.MaxError(c.Ref, c.Inputs, skip: c.NotDifferentiated?.ToHashSet());
        Assert.True(error < 1e-6, $"{caseName}: reference backward differs from finite differences by {error:E2}");
    }

    [Theory]
    [InlineData("matmul:NT")]
    [InlineData("unary:Tanh")]
    [InlineData("crossentropy:0.1")]
    [InlineData("binary:Mul:channel")]
    public void A_backward_off_by_one_percent_fails_the_check(string caseName)
    {
        var c = OpCases.Create(caseName, small: true);
        double error = GradCheck.MaxError(c.Ref.WithScaledBackward(1.01), c.Inputs);
        Assert.True(error > 1e-3, $"{caseName}: a gradient scaled by 1.01 passed the check (error {error:E2})");
    }
}
