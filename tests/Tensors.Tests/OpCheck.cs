using SparseCore.Tensors.Tests.Reference;

namespace SparseCore.Tensors.Tests;

/// <summary>
/// The checks every op family runs on its <see cref="OpCase"/>s: the engine's forward and its
/// autograd backward against the double reference, and the reference's backward against finite
/// differences (so the comparison target is itself checked).
/// </summary>
public static class OpCheck
{
    public static void ForwardAndBackward(string backendName, string caseName, OpCase c)
    {
        var backend = TestBackends.Get(backendName);
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

    public static void ReferenceMatchesFiniteDifferences(string caseName, OpCase c) =>
        ReferenceMatchesFiniteDifferences(caseName, c.Ref, c.Inputs, c.NotDifferentiated);

    public static void ReferenceMatchesFiniteDifferences(string caseName, RefOp op, RefTensor[] inputs, int[]? notDifferentiated = null)
    {
        double error = GradCheck.MaxError(op, inputs, skip: notDifferentiated?.ToHashSet());
        Assert.True(error < 1e-6, $"{caseName}: reference backward differs from finite differences by {error:E2}");
    }

    public static void ScaledBackwardFails(string caseName, OpCase c) =>
        ScaledBackwardFails(caseName, c.Ref, c.Inputs, c.NotDifferentiated);

    public static void ScaledBackwardFails(string caseName, RefOp op, RefTensor[] inputs, int[]? notDifferentiated = null)
    {
        double error = GradCheck.MaxError(op.WithScaledBackward(1.01), inputs, skip: notDifferentiated?.ToHashSet());
        Assert.True(error > 1e-3, $"{caseName}: a gradient scaled by 1.01 passed the check (error {error:E2})");
    }
}
