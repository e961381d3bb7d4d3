using SparseCore.Tensors.Tests.Reference;

namespace SparseCore.Tensors.Tests.Fixtures;

/// <summary>
/// Both backends against PyTorch's own outputs and gradients (tests/fixtures/torch/*.json): the
/// conventions (padding, running-stat momentum, unbiased variance, gate order, packed attention
/// projections) are PyTorch's, not just self-consistent.
/// </summary>
public class TorchFixtureTests
{
    private const double Tolerance = 1e-5;
    private const double SequenceTolerance = 1e-4; // chains of tanh/exp over several steps

    public static IEnumerable<object[]> Backends() => TestBackends.Names.Select(n => new object[] { n });

    [Theory]
    [MemberData(nameof(Backends))]
    public void Conv2d_matches_pytorch(string backendName)
    {
        var b = TestBackends.Get(backendName);
        var f = TorchFixture.Load("conv2d");
        using var scope = new TensorScope();
        var x = f.Tensor(b, "x", true); var w = f.Tensor(b, "weight", true); var bias = f.Tensor(b, "bias", true);
        var y = F.Conv2d(x, w, bias, f.Int("stride"), f.Int("padding"));
        Close(f, "y", y, Tolerance);
        y.Backward(f.Tensor(b, "upstream"));
        Close(f, "dx", x.Grad!, Tolerance);
        Close(f, "dweight", w.Grad!, Tolerance);
        Close(f, "dbias", bias.Grad!, Tolerance);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void Batchnorm_training_matches_pytorch_including_running_statistics(string backendName)
    {
        var b = TestBackends.Get(backendName);
        var f = TorchFixture.Load("batchnorm_train");
        using var scope = new TensorScope();
        var x = f.Tensor(b, "x", true); var g = f.Tensor(b, "weight", true); var beta = f.Tensor(b, "bias", true);
        var mean = f.Tensor(b, "running_mean_before"); var variance = f.Tensor(b, "running_var_before");
        var y = F.BatchNorm2d(x, g, beta, mean, variance, training: true, f.Float("momentum"), f.Float("eps"));
        Close(f, "y", y, Tolerance);
        Close(f, "running_mean_after", mean, Tolerance);
        Close(f, "running_var_after", variance, Tolerance);
        y.Backward(f.Tensor(b, "upstream"));
        Close(f, "dx", x.Grad!, Tolerance);
        Close(f, "dweight", g.Grad!, Tolerance);
        Close(f, "dbias", beta.Grad!, Tolerance);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void Batchnorm_evaluation_matches_pytorch(string backendName)
    {
        var b = TestBackends.Get(backendName);
        var f = TorchFixture.Load("batchnorm_eval");
        using var scope = new TensorScope();
        var x = f.Tensor(b, "x", true); var g = f.Tensor(b, "weight", true); var beta = f.Tensor(b, "bias", true);
        var y = F.BatchNorm2d(x, g, beta, f.Tensor(b, "running_mean"), f.Tensor(b, "running_var"), training: false, eps: f.Float("eps"));
        Close(f, "y", y, Tolerance);
        y.Backward(f.Tensor(b, "upstream"));
        Close(f, "dx", x.Grad!, Tolerance);
        Close(f, "dweight", g.Grad!, Tolerance);
        Close(f, "dbias", beta.Grad!, Tolerance);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void Max_pool_matches_pytorch(string backendName)
    {
        var b = TestBackends.Get(backendName);
        var f = TorchFixture.Load("maxpool2d");
        using var scope = new TensorScope();
        var x = f.Tensor(b, "x", true);
        var y = F.MaxPool2d(x, f.Int("kernel"), f.Int("stride"), f.Int("padding"));
        Close(f, "y", y, Tolerance);
        y.Backward(f.Tensor(b, "upstream"));
        Close(f, "dx", x.Grad!, Tolerance);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void Lstm_sequence_matches_pytorch_with_every_parameter_gradient(string backendName)
    {
        var b = TestBackends.Get(backendName);
        var f = TorchFixture.Load("lstm");
        int steps = f.Int("steps"), batch = f.Int("batch"), hidden = f.Int("hidden");
        using var scope = new TensorScope();
        var x = f.Tensor(b, "x", true);
        var inputs = Enumerable.Range(0, steps).Select(t => F.Reshape(F.Slice(x, 0, t, 1), batch, -1)).ToArray();
        var h0 = f.Tensor(b, "h0", true); var c0 = f.Tensor(b, "c0", true);
        string[] names = ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"];
        var p = names.Select(n => f.Tensor(b, n, true)).ToArray();
        var (hiddenStates, c) = F.Lstm(inputs, h0, c0, p[0], p[1], p[2], p[3]);
        var output = F.Concat(hiddenStates, 0); // [steps·batch, hidden] = PyTorch's [steps, batch, hidden]
        Close(f, "output", output, SequenceTolerance);
        Close(f, "c_n", c, SequenceTolerance);
        output.Backward(F.Reshape(f.Tensor(b, "upstream"), steps * batch, hidden));
        Close(f, "dx", x.Grad!, SequenceTolerance);
        Close(f, "dh0", h0.Grad!, SequenceTolerance);
        Close(f, "dc0", c0.Grad!, SequenceTolerance);
        for (int i = 0; i < names.Length; i++) Close(f, "d" + names[i], p[i].Grad!, SequenceTolerance);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void Multi_head_attention_matches_pytorch(string backendName)
    {
        var b = TestBackends.Get(backendName);
        var f = TorchFixture.Load("attention");
        using var scope = new TensorScope();
        var x = f.Tensor(b, "x", true);
        string[] names = ["in_proj_weight", "in_proj_bias", "out_proj_weight", "out_proj_bias"];
        var p = names.Select(n => f.Tensor(b, n, true)).ToArray();
        var y = F.MultiHeadAttention(x, p[0], p[1], p[2], p[3], f.Int("heads"));
        Close(f, "y", y, SequenceTolerance);
        y.Backward(f.Tensor(b, "upstream"));
        Close(f, "dx", x.Grad!, SequenceTolerance);
        for (int i = 0; i < names.Length; i++) Close(f, "d" + names[i], p[i].Grad!, SequenceTolerance);
    }

    private static void Close(TorchFixture f, string name, Tensor actual, double tolerance)
    {
        var expected = f.Data(name);
        Assert.Equal(expected.Length, actual.Size);
        double error = Norms.RelativeError(actual.ToArray(), Array.ConvertAll(expected, v => (double)v));
        Assert.True(error <= tolerance, $"{f.Name}.{name}: normwise error {error:E2} against PyTorch > {tolerance:E0}");
    }
}
