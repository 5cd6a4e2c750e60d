/* SPDX-License-Identifier: GPL-2.0 */
#ifndef MT_VERSION_H
#define MT_VERSION_H
#define MT_VERSION "0.1.0"
#endif
