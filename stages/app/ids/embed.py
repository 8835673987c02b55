#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Embeds a text file as a C string (conf/classification.config is the
# built-in classification table, so the shipped file and the default
# cannot drift apart).
import sys

src, dst, name = sys.argv[1], sys.argv[2], sys.argv[3]
data = open(src, 'rb').read()
with open(dst, 'w') as f:
    f.write('/* generated from %s by embed.py */\n' % src.split('/')[-1])
    f.write('const char %s[] =\n' % name)
    for line in data.split(b'\n'):
        esc = ''.join(c if c not in '"\\' else '\\' + c
                      for c in line.decode('utf-8'))
        f.write('\t"%s\\n"\n' % esc)
    f.write(';\n')
