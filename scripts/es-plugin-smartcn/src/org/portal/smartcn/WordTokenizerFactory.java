/*
 * The tokenizer "portal_smartcn_tokenizer": the segmenter alone (sentence split, then words),
 * for custom analyzers that bring their own filters.
 */
package org.portal.smartcn;

import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.cn.smart.HMMChineseTokenizer;
import org.elasticsearch.plugin.NamedComponent;
import org.elasticsearch.plugin.analysis.TokenizerFactory;

@NamedComponent("portal_smartcn_tokenizer")
public class WordTokenizerFactory implements TokenizerFactory {
    @Override
    public Tokenizer create() {
        return new HMMChineseTokenizer();
    }
}
