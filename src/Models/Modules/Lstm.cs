using SparseCore.Models.Flops;
using SparseCore.Tensors;

namespace SparseCore.Models.Modules;

/// <summary>
/// One-layer torch.nn.LSTM (batch_first): weight_ih_l0 [4H, In], weight_hh_l0 [4H, H], bias_ih_l0
/// and bias_hh_l0 [4H], gates i, f, g, o; every tensor U(±1/√H) as PyTorch initialises it.
/// </summary>
public sealed class Lstm : Module
{
    public Lstm(ModuleInit init, int inputSize, int hiddenSize)
    {
        if (inputSize <= 0 || hiddenSize <= 0)
            throw new ArgumentException($"LSTM: sizes must be positive, got input={inputSize}, hidden={hiddenSize}");
        InputSize = inputSize;
        HiddenSize = hiddenSize;
        float bound = 1f / MathF.Sqrt(hiddenSize);
        WeightIh = AddParameter("weight_ih_l0", init.Uniform(new Shape(4 * hiddenSize, inputSize), bound));
        WeightHh = AddParameter("weight_hh_l0", init.Uniform(new Shape(4 * hiddenSize, hiddenSize), bound));
        BiasIh = AddParameter("bias_ih_l0", init.Uniform(new Shape(4 * hiddenSize), bound));
        BiasHh = AddParameter("bias_hh_l0", init.Uniform(new Shape(4 * hiddenSize), bound));
    }

    public int InputSize { get; }
    public int HiddenSize { get; }
    public Parameter WeightIh { get; }
    public Parameter WeightHh { get; }
    public Parameter BiasIh { get; }
    public Parameter BiasHh { get; }

    /// <summary>One step from state (h, c): x [B, In] → (h', c'), each [B, H].</summary>
    public (Tensor H, Tensor C) Step(Tensor x, Tensor h, Tensor c) =>
        F.LstmCell(x, h, c, WeightIh.Value, WeightHh.Value, BiasIh.Value, BiasHh.Value);

    /// <summary>x [B, T, In] from a zero state → every step's hidden state [B, T, H].</summary>
    protected override Tensor ForwardCore(Tensor x)
    {
        if (x.Rank != 3 || x.Shape[2] != InputSize)
            throw new TensorShapeException("LSTM", $"needs x [B, T, {InputSize}], got {x.Shape}");
        int batch = x.Shape[0], steps = x.Shape[1];
        var inputs = Enumerable.Range(0, steps).Select(t => F.Reshape(F.Slice(x, 1, t, 1), new Shape(batch, InputSize))).ToList();
        var zero = Tensor.Zeros(x.Backend, new Shape(batch, HiddenSize));
        var (hidden, _) = F.Lstm(inputs, zero, zero, WeightIh.Value, WeightHh.Value, BiasIh.Value, BiasHh.Value);
        return F.Concat(hidden.Select(h => F.Reshape(h, new Shape(batch, 1, HiddenSize))).ToList(), 1);
    }

    public override Shape Trace(Shape input, ShapeTrace trace)
    {
        if (input.Rank != 3 || input[2] != InputSize)
            throw new TensorShapeException($"LSTM '{trace.Name}'", $"needs [B, T, {InputSize}], got {input}");
        long perStep = 4L * HiddenSize * (InputSize + HiddenSize);
        var output = new Shape(input[0], input[1], HiddenSize);
        trace.Record("lstm", input, output, perStep + 8L * HiddenSize, (long)input[0] * input[1] * perStep);
        return output;
    }
}
