namespace MailQuota.Core.Content
{
    /// <summary>One group of near-identical messages in the input.</summary>
    public sealed class ContentCluster
    {
        public ContentCluster(int clusterId, int size, int firstRow, string subject)
        {
            ClusterId = clusterId; Size = size; FirstRow = firstRow; Subject = subject;
        }

        public int ClusterId { get; }
        public int Size { get; }
        public int FirstRow { get; }

        /// <summary>The subject of its first message.</summary>
        public string Subject { get; }

        public override string ToString() => $"cluster {ClusterId}: {Size} messages from row {FirstRow} ({Subject})";
    }
}
