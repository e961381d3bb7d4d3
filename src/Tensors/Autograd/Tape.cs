namespace SparseCore.Tensors;

/// <summary>The per-thread record of differentiable ops, in execution (= topological) order.</summary>
internal sealed class Tape
{
    [ThreadStatic] private static Tape? current;

    private readonly List<TapeNode> nodes = new();

    public static Tape Current => current ??= new Tape();

    public int Count => nodes.Count;

    public IReadOnlyList<TapeNode> Nodes => nodes;

    public void Add(TapeNode node) => nodes.Add(node);

    public void Truncate(int count)
    {
        if (count < nodes.Count) nodes.RemoveRange(count, nodes.Count - count);
    }

    public void Clear() => nodes.Clear();
}
