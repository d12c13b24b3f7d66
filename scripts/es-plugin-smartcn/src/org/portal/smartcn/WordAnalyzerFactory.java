/*
 * The analyzer "portal_smartcn": Lucene's SmartChineseAnalyzer (an HMM word segmenter with
 * its own dictionary; lower-cases and Porter-stems Latin words, drops punctuation), exposed
 * through Elasticsearch's stable plugin API so one build works on every 8.x node.
 */
package org.portal.smartcn;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.cn.smart.SmartChineseAnalyzer;
import org.elasticsearch.plugin.NamedComponent;
import org.elasticsearch.plugin.analysis.AnalyzerFactory;

@NamedComponent("portal_smartcn")
public class WordAnalyzerFactory implements AnalyzerFactory {
    @Override
    public Analyzer create() {
        return new SmartChineseAnalyzer();
    }
}
