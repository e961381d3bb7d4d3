using System.Text.Json;

namespace SparseCore.Tensors.Tests.Fixtures;

/// <summary>
/// A golden case written by PyTorch (tests/fixtures/make_torch_fixtures.py): named float32 tensors
/// and a few settings. Files are copied beside the test assembly by the project file.
/// </summary>
public sealed class TorchFixture
{
    private readonly Dictionary<string, (int[] Shape, float[] Data)> tensors;

    private TorchFixture(string name, JsonElement meta, Dictionary<string, (int[], float[])> tensors)
    {
        Name = name;
        Meta = meta;
        this.tensors = tensors;
    }

    public string Name { get; }
    public JsonElement Meta { get; }

    public static TorchFixture Load(string name)
    {
        string path = Path.Combine(AppContext.BaseDirectory, "fixtures", "torch", name + ".json");
        using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
        var map = new Dictionary<string, (int[], float[])>();
        foreach (var t in doc.RootElement.GetProperty("tensors").EnumerateObject())
        {
            int[] shape = t.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            float[] data = t.Value.GetProperty("data").EnumerateArray().Select(e => (float)e.GetDouble()).ToArray();
            if (data.Length != shape.Aggregate(1, (p, d) => p * d))
                throw new InvalidDataException($"{path}: tensor '{t.Name}' has {data.Length} values for shape [{string.Join(", ", shape)}]");
            map[t.Name] = (shape, data);
        }
        return new TorchFixture(name, doc.RootElement.GetProperty("meta").Clone(), map);
    }

    public int Int(string key) => Meta.GetProperty(key).GetInt32();
    public float Float(string key) => (float)Meta.GetProperty(key).GetDouble();

    public float[] Data(string tensor) => Get(tensor).Data;
    public Shape Shape(string tensor) => new(Get(tensor).Shape);

    /// <summary>The named tensor on a backend (optionally as a differentiable leaf).</summary>
    public Tensor Tensor(Kernels.Backend backend, string name, bool requiresGrad = false)
    {
        var (shape, data) = Get(name);
        var t = SparseCore.Tensors.Tensor.FromArray(backend, data, new Shape(shape));
        t.RequiresGrad = requiresGrad;
        return t;
    }

    private (int[] Shape, float[] Data) Get(string tensor) =>
        tensors.TryGetValue(tensor, out var t) ? t : throw new KeyNotFoundException($"fixture {Name} has no tensor '{tensor}'");
}
