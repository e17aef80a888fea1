namespace MailQuota.Core.Content
{
    /// <summary>Disjoint sets over 0..n-1 with path halving and union by size.</summary>
    public sealed class UnionFind
    {
        readonly int[] _parent;
        readonly int[] _size;

        public UnionFind(int count)
        {
            _parent = new int[count];
            _size = new int[count];
            for (var i = 0; i < count; i++) { _parent[i] = i; _size[i] = 1; }
        }

        public int Find(int x)
        {
            while (_parent[x] != x)
            {
                _parent[x] = _parent[_parent[x]];
                x = _parent[x];
            }
            return x;
        }

        public void Union(int x, int y)
        {
            x = Find(x);
            y = Find(y);
            if (x == y) return;
            if (_size[x] < _size[y]) (x, y) = (y, x);
            _parent[y] = x;
            _size[x] += _size[y];
        }
    }
}
